/** How the actions of a data entry type row look (one place for the three of them). */
export const ROW_ACTION_LOOK = { outline: true, dense: true, noCaps: true, color: 'primary' } as const;
