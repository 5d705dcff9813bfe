// Prints one plain closing line, "tests: N passed, N failed, N skipped", after jest's own summary, so any CI
// reader can count the run without knowing jest's format.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`);
  }
}
