// Seeds an empty Vendure database (VENDURE_DATA_DIR/vendure.sqlite) with the shop set-up of
// @vendure/create's initial data: countries, zones, tax rates, shipping and payment methods. No products:
// each test creates its own. Exits 0 once the file is written.
const fs = require('fs');
const path = require('path');
const { bootstrap, TransactionalConnection } = require('@vendure/core');
const { populate } = require('@vendure/core/cli');
const { vendureConfig, databaseFile } = require('./vendure-config');
const initialData = require('@vendure/create/assets/initial-data.json');

async function main() {
    const file = databaseFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (fs.existsSync(file)) {
        throw new Error(`${file} exists already; populate.js only seeds an empty data directory`);
    }
    const started = Date.now();
    const app = await populate(() => bootstrap(vendureConfig({ autoSave: false })), initialData);
    // autoSave is off while seeding: write the whole database once
    await app.get(TransactionalConnection).rawConnection.sqljsManager.saveDatabase(file);
    await app.close();
    console.log(`populate done in ${Math.round((Date.now() - started) / 1000)} s: ${file}`);
}

main().then(() => process.exit(0), err => {
    console.error('populate failed:', err);
    process.exit(1);
});
