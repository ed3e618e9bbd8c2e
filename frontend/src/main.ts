import { createPinia } from 'pinia';
import { Notify, Quasar } from 'quasar';
import iconSet from 'quasar/icon-set/svg-material-icons';
import 'quasar/dist/quasar.css';
import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from './i18n';
import { router } from './router';
import './styles.css';

createApp(App)
  .use(Quasar, { plugins: { Notify }, iconSet })
  .use(createPinia())
  .use(i18n)
  .use(router)
  .mount('#app');
