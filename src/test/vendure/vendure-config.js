// Vendure configuration for Kanaal's end-to-end tests: a real Vendure shop on loopback only,
// SQLite through sql.js (WebAssembly, so no native build), one database file per test run.
//   VENDURE_PORT      port to listen on (127.0.0.1 only)
//   VENDURE_DATA_DIR  directory holding vendure.sqlite (created when missing)
const path = require('path');
const { DefaultJobQueuePlugin, DefaultSearchPlugin, dummyPaymentHandler } = require('@vendure/core');
const { AssetServerPlugin } = require('@vendure/asset-server-plugin');

const SUPERADMIN = { identifier: 'superadmin', password: 'superadmin' };

function requiredEnv(name) {
    const value = process.env[name];
    if (!value) {
        throw new Error(`environment variable ${name} is not set`);
    }
    return value;
}

/** The database file of this run. */
function databaseFile() {
    return path.join(path.resolve(requiredEnv('VENDURE_DATA_DIR')), 'vendure.sqlite');
}

/**
 * @param autoSave write the database file after every change (the server); populate.js turns it off and
 *                 writes the file once at the end, which is much faster on a cold seed.
 */
function vendureConfig({ autoSave = true } = {}) {
    const port = Number(requiredEnv('VENDURE_PORT'));
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
        throw new Error(`VENDURE_PORT is not a port: ${process.env.VENDURE_PORT}`);
    }
    return {
        apiOptions: {
            hostname: '127.0.0.1',
            port,
            adminApiPath: 'admin-api',
            shopApiPath: 'shop-api',
        },
        authOptions: {
            // tests read the session token from the vendure-auth-token header and send it as a Bearer token
            tokenMethod: ['bearer', 'cookie'],
            superadminCredentials: SUPERADMIN,
            cookieOptions: { secret: 'kanaal-e2e-only' },
            requireVerification: false,
        },
        dbConnectionOptions: {
            type: 'sqljs',
            synchronize: true,
            location: databaseFile(),
            autoSave,
            logging: false,
        },
        paymentOptions: { paymentMethodHandlers: [dummyPaymentHandler] },
        plugins: [
            DefaultJobQueuePlugin.init({}),
            DefaultSearchPlugin.init({ bufferUpdates: false }),
            // assets (createAssets uploads) kept in the run's data directory and served under /assets, as a shop
            // with images has them; without an asset storage Vendure refuses every upload
            AssetServerPlugin.init({
                route: 'assets',
                assetUploadDir: path.join(path.resolve(requiredEnv('VENDURE_DATA_DIR')), 'assets'),
            }),
        ],
    };
}

module.exports = { vendureConfig, databaseFile, SUPERADMIN };
