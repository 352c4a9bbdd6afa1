// Used by tests/clients/run.sh: the same script runs against redis-server and redwing-server.
// Connects the newest node-redis and ioredis to a server and runs a few commands.
import { createClient } from 'redis';
import Redis from 'ioredis';

const port = Number(process.argv[2]);
const out = [];

const nr = createClient({ url: `redis://127.0.0.1:${port}/2`, name: 'nr-test', RESP: 3 });
nr.on('error', (e) => out.push('node-redis error: ' + e.message));
await nr.connect();
await nr.set('compat:k', 'v1');
out.push('node-redis get: ' + (await nr.get('compat:k')));
out.push('node-redis incr: ' + (await nr.incr('compat:n')));
out.push('node-redis mget: ' + JSON.stringify(await nr.mGet(['compat:k', 'compat:none'])));
const tx = await nr.multi().set('compat:t', '1').incr('compat:t').exec();
out.push('node-redis multi: ' + JSON.stringify(tx));
out.push('node-redis name: ' + (await nr.clientGetName()));
out.push('node-redis ttl: ' + (await nr.ttl('compat:k')));
await nr.quit();

const nr2 = createClient({ url: `redis://127.0.0.1:${port}` });
nr2.on('error', (e) => out.push('node-redis(resp2) error: ' + e.message));
await nr2.connect();
out.push('node-redis resp2 ping: ' + (await nr2.ping()));
await nr2.quit();

const io = new Redis({ port, host: '127.0.0.1', db: 3, connectionName: 'io-test', enableReadyCheck: true });
await new Promise((res, rej) => { io.once('ready', res); io.once('error', rej); });
await io.set('compat:io', 'x', 'EX', 100);
out.push('ioredis get: ' + (await io.get('compat:io')));
out.push('ioredis pipeline: ' + JSON.stringify(await io.pipeline().incr('compat:p').incr('compat:p').get('compat:p').exec()));
out.push('ioredis name: ' + (await io.client('GETNAME')));
out.push('ioredis scan: ' + JSON.stringify((await io.scan('0', 'MATCH', 'compat:*', 'COUNT', 100))[1].sort()));
io.disconnect();
console.log(out.join('\n'));
