// One fuzzing child process (fork of `script` with `args`) that reads one file per job, with a time
// cap per file and a resident-memory watchdog: a hang, a blow-up or a crash is reported as the job's
// problem and the child is started afresh. Shared by fuzz-npy.js and fuzz-checkpoints.js.
const { fork } = require('child_process');
const { readFileSync } = require('fs');

const TIME_CAP_MS = 20000;
const MEMORY_CAP_BYTES = 1 << 30;

class CappedWorker {
  constructor(script, args) {
    this.script = script;
    this.args = args;
    this.start();
  }

  start() {
    this.child = fork(this.script, this.args, { execArgv: ['--max-old-space-size=512'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.stderr = '';
    this.child.stderr.on('data', (d) => (this.stderr = (this.stderr + d).slice(-2000)));
    this.ready = new Promise((done) => this.child.once('message', done));
  }

  residentBytes() {
    try {
      return Number(readFileSync(`/proc/${this.child.pid}/statm`, 'utf8').split(' ')[1]) * 4096;
    } catch {
      return 0;
    }
  }

  async run(job) {
    await this.ready;
    return new Promise((done) => {
      let finished = false;
      const finish = (result) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        clearInterval(watch);
        this.child.removeAllListeners('message');
        this.child.removeAllListeners('exit');
        done(result);
      };
      const restart = (problem) => {
        this.child.removeAllListeners('exit');
        this.child.kill('SIGKILL');
        finish({ name: job.name, problem, stderr: this.stderr });
        this.start();
      };
      const timer = setTimeout(() => restart('hang'), TIME_CAP_MS);
      const watch = setInterval(() => this.residentBytes() > MEMORY_CAP_BYTES && restart('memory'), 50);
      this.child.on('message', finish);
      this.child.on('exit', (code, signal) => restart(`crash (exit ${code ?? signal})`));
      this.child.send(job);
    });
  }

  stop() {
    this.child.kill();
  }
}

module.exports = { CappedWorker, TIME_CAP_MS, MEMORY_CAP_BYTES };
