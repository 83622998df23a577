/**
 * Option parsers shared by the `flow` and `train` subcommands; each turns a
 * bad value into a one-line {@link UsageError}.
 */
import { cellNames } from '../train/cells.js';
import { UsageError, parsePositiveInt, parsePositiveNumber } from './usage.js';

/** Checks a `--cell` value against the registered cells. */
export function parseCell(value: string): string {
  const available = cellNames();
  if (available.includes(value)) return value;
  throw new UsageError(`--cell must be one of ${available.join(', ')}, got ${JSON.stringify(value)}`);
}

/** Parses a comma-separated list of positive numbers, e.g. `0.5,1,1.5`. */
export function parseNumberList(option: string, value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((s) => s === '')) {
    throw new UsageError(`${option} must be a comma-separated list of positive numbers, got ${JSON.stringify(value)}`);
  }
  return parts.map((s) => parsePositiveNumber(option, s));
}

/** Parses a non-negative integer (a seed). */
export function parseSeed(option: string, value: string): number {
  if (value.trim() === '0') return 0;
  return parsePositiveInt(option, value);
}

/** Parses a non-negative finite number. */
export function parseNonNegative(option: string, value: string): number {
  if (value.trim() !== '' && Number(value) === 0) return 0;
  return parsePositiveNumber(option, value);
}

/** Parses a number in (0, ∞) bounded above, e.g. a temperature. */
export function parseBoundedNumber(option: string, value: string, max: number): number {
  const n = parsePositiveNumber(option, value);
  if (n > max) throw new UsageError(`${option} must be at most ${max}, got ${JSON.stringify(value)}`);
  return n;
}
