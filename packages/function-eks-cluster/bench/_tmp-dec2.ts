import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { decodeRequest } from '../src/server/request-codec.js';
import { encodeRequest, productionScenario } from './scenarios.js';
const b = encodeRequest(productionScenario('full').request);
console.log('bytes', b.length);
for (const [n, f] of [['sdk', (x: Buffer) => RunFunctionRequest.decode(x)], ['ours', decodeRequest]] as const) {
  for (let i = 0; i < 300; i++) f(b);
  const t = performance.now(); let k = 0;
  while (performance.now() - t < 1500 && k < 5000) { f(b); k++; }
  console.log(n, ((performance.now() - t) / k).toFixed(3), 'ms');
}
