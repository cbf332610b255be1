// A handler module whose cold start fails, as one with a missing environment variable does.
throw new Error('FIXTURE_VARIABLE is not set; the CDK construct sets it.');
