import { AirflowMlError, ExitCode } from '../../base/errors';

/**
 * Airflow did not load every deployed DAG: import errors, or the wait ran out. Same exit
 * code as other "Airflow answered, but not as needed" failures.
 */
export class DagParseError extends AirflowMlError {
  readonly exitCode = ExitCode.airflowApi;
  constructor(
    message: string,
    hint: string,
    readonly missingDags: string[],
    readonly importErrors: { file: string; stackTrace: string }[],
  ) {
    super(message, hint);
  }
}
