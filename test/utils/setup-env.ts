// Tests get a known configuration whatever the developer's shell or .env says.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'error';
process.env.AUTOHEAL_INTERVAL_SECONDS = '0';
