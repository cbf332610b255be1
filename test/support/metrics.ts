export { recordingMetrics } from '../../local/kit/metrics';
