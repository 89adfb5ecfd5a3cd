import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import './styles.css';
import './styles/landing.css';
import './styles/customer-admin.css';
// Last: the dark theme overrides the rules above.
import './styles/theme.css';

const container = document.getElementById('root');
if (container === null) {
  throw new Error('missing #root element');
}
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
