// A handler module as `cdk synth` bundles one: plain CommonJS.
exports.handler = async () => ({ typeScriptRegistered: require.extensions['.ts'] !== undefined });
