import { render } from 'preact';
import { App } from './app';
import './styles.css';
import { startTelemetry } from './telemetry';

startTelemetry();
render(<App />, document.getElementById('app')!);
