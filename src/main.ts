import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

mount(App, { target: document.getElementById('app')! });

// The score worker (ONNX Runtime) ships in dist/ as a lazily loaded chunk: nothing of it loads until this is called.
// Until notebooks have model cells, this handle is how the e2e test (tests/e2e/score.e2e.ts) reaches it.
(globalThis as { __flywheelScore?: unknown }).__flywheelScore = () => import('./lib/score/client').then((m) => m.ScoreClient.shared());
