/** Errors of configuration (the environment, `.env`, run settings): they live with configuration. */
import { CardConformanceError, EXIT, oneLine } from '../wire/errors.ts';

/** A configuration value that is missing or malformed: names the variable, never echoes its value. */
export class ConfigError extends CardConformanceError {
  override readonly name = 'ConfigError';
  readonly exitCode = EXIT.usage;
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(oneLine(`${variable}: ${problem}`));
    this.variable = variable;
  }
}
