from __future__ import annotations

import pytest

from app.domain.modules import (
    DataEntryTypeEnum,
    ModuleTypeEnum,
    TypeNotInModuleError,
    data_entry_type_in_module,
)

TRAVEL = ModuleTypeEnum.professional_travel


@pytest.mark.parametrize("given", [DataEntryTypeEnum.plane, 20])
def test_a_type_of_the_module_is_returned_as_its_enum(given: DataEntryTypeEnum | int) -> None:
    found = data_entry_type_in_module(TRAVEL, given)
    assert found is DataEntryTypeEnum.plane


def test_a_type_of_another_module_names_it_and_the_module_types() -> None:
    with pytest.raises(TypeNotInModuleError) as refused:
        data_entry_type_in_module(TRAVEL, 50)
    assert refused.value.data_entry_type is DataEntryTypeEnum.process_emissions
    assert refused.value.module_type is TRAVEL
    assert refused.value.valid_values == (DataEntryTypeEnum.plane, DataEntryTypeEnum.train)
    assert str(refused.value) == (
        "type process_emissions is not in module professional_travel; "
        "valid values: 20 plane, 21 train"
    )


@pytest.mark.parametrize("given", [999, "plane", "20", None])
def test_unknown_ids_and_text_are_refused_without_a_type(given: int | str | None) -> None:
    with pytest.raises(TypeNotInModuleError) as refused:
        data_entry_type_in_module(TRAVEL, given)
    assert refused.value.data_entry_type is None
    assert [t.value for t in refused.value.valid_values] == [20, 21]
    assert isinstance(refused.value, ValueError)
