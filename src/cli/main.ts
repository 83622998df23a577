/**
 * The `handgrad` command. A thin shell over the library: each subcommand
 * lives in its own file and registers itself on the commander program; no
 * math lives in src/cli.
 */
import { Command, CommanderError } from 'commander';
import { registerCheckCommand } from './check.js';
import { Interrupted } from './interrupt.js';
import { MemoryBudgetError } from '../linalg/budget.js';
import { RunFailure, UsageError } from './usage.js';
import { registerFlowCommand } from './flow.js';
import { registerTrainCommand } from './train.js';
import { packageVersion } from './version.js';

/** The exit codes, as `--help` lists them (docs/experiments.md has the same table). */
export const EXIT_CODES_HELP = `
Exit codes: 0 done; 1 a check failed or training diverged (NaN or infinite loss);
2 usage error (bad option, unusable input, output that cannot be written);
70 internal error (a bug: please report it); 130 Ctrl-C, 143 SIGTERM, 129 SIGHUP.
Files are written to a temporary file and renamed into place: an interrupted
run leaves the previous file unchanged.`;

/** Builds the program with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('handgrad')
    .description('Hand-derived RNN / LSTM / GRU gradient kernels: check them, and see them work.')
    .version(packageVersion(), '-V, --version', 'print the handgrad version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  // Subcommands register here (check, flow, train).
  registerCheckCommand(program);
  registerFlowCommand(program);
  registerTrainCommand(program);
  program.addHelpText('after', EXIT_CODES_HELP);
  for (const command of program.commands.filter((c) => c.name() === 'flow' || c.name() === 'train')) {
    command.addHelpText('after', EXIT_CODES_HELP);
    for (const sub of command.commands) sub.addHelpText('after', EXIT_CODES_HELP);
  }
  return program;
}

/**
 * Runs the CLI on `argv` (without node and script); returns the exit code:
 * 0 done, 1 a check failed or a training run diverged, 2 a usage error (bad
 * option, unreadable or unusable input, unwritable output), 128 + n when
 * signal n stopped a run (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with code 0; usage mistakes
      // have already been printed by commander as one line.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`handgrad: ${err.message}\n`);
      return 2;
    }
    if (err instanceof MemoryBudgetError) {
      // Sizes the machine cannot hold are the caller's choice, not a bug: say so and how to change the budget.
      process.stderr.write(`handgrad: ${err.message}\n`);
      return 2;
    }
    if (err instanceof RunFailure) {
      process.stderr.write(`handgrad: ${err.message}\n`);
      return 1;
    }
    if (err instanceof Interrupted) {
      process.stderr.write(`handgrad: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
