// Runs the Vendure server (Shop API, Admin API, /health) with its job queue in the same process,
// so there is no separate worker to start or stop.
const { bootstrap, JobQueueService } = require('@vendure/core');
const { vendureConfig } = require('./vendure-config');

bootstrap(vendureConfig())
    .then(app => app.get(JobQueueService).start())
    .then(() => console.log(`kanaal-vendure: listening on http://127.0.0.1:${process.env.VENDURE_PORT}`))
    .catch(err => {
        console.error('Vendure failed to start:', err);
        process.exit(1);
    });

for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => process.exit(0));
}
