import { createProcessorHandler } from '../../lambdas/processor/processor-handler';
import type { WebhookApp } from '../../lambdas/sdk';

describe('createProcessorHandler', () => {
  it.each([
    ['undefined, as esbuild bundles a module without an app export', undefined],
    ['an object that is not a WebhookApp', { onVehicleState: () => undefined }],
  ])('refuses %s at cold start, naming the export it needs', (_case, app) => {
    expect(() => createProcessorHandler(app as unknown as WebhookApp)).toThrow(
      expect.objectContaining({
        name: 'ConfigurationError',
        message: expect.stringMatching(/export `app`, a WebhookApp/),
      }),
    );
  });
});
