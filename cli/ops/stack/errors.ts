import { AirflowMlError, ExitCode } from '../../base/errors';

/**
 * Why the local stack could not start or stop. One class per cause, so callers (and tests)
 * can tell them apart; every message names the piece and every hint says what to do.
 */

/** No Docker Engine answers. */
export class NoEngineError extends AirflowMlError {
  readonly exitCode = ExitCode.docker;
}

/** Neither `docker compose` (v2) nor `docker-compose` (v1) is installed. */
export class NoComposeError extends AirflowMlError {
  readonly exitCode = ExitCode.docker;
}

/** The api-server's host port is taken by something that is not this stack. */
export class PortBusyError extends AirflowMlError {
  readonly exitCode = ExitCode.config;
  constructor(
    readonly port: number,
    message: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

/** A service exited, became unhealthy or never got healthy; carries its log tail. */
export class UnhealthyServiceError extends AirflowMlError {
  readonly exitCode = ExitCode.docker;
  constructor(
    readonly service: string,
    readonly state: string,
    readonly logTail: string,
    hint?: string,
  ) {
    super(
      `service ${service} is ${state}; last log lines:\n${logTail.trimEnd() || '(no output)'}`,
      hint,
    );
  }
}

/** A compose or build command failed for another reason (bad .env, engine error, ...). */
export class StackCommandError extends AirflowMlError {
  readonly exitCode = ExitCode.docker;
}
