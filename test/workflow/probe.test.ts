import { runWithStubs, OUTPUTS } from './stubs.js';
test('probe', async () => {
  const { estimate: _e, ...noEstimate } = OUTPUTS.launch;
  const run = await runWithStubs({ launch: [noEstimate] });
  console.log(JSON.stringify(run.result), run.entered.slice(-3), run.calls.rollback.length);
});
