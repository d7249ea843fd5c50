import { hintFor } from '../../../../cli/ops/stack/wait';

describe('the hint for a service that failed', () => {
  it("names the database volume's password and both ways out when Postgres refuses the login", () => {
    const tail =
      'airflow-init_1 | sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "postgres" (172.22.0.2), port 5432 failed: FATAL:  password authentication failed for user "airflow"';
    expect(hintFor(tail)).toBe(
      "Airflow's database volume (airflow-ml_postgres-db-volume) was created with another POSTGRES_PASSWORD than the one in your .env: put back the .env that created it, or run `npx airflow-ml down --volumes` to delete Airflow's database and start over (the data root is kept)",
    );
  });

  it('otherwise points at the log and says data is kept', () => {
    expect(hintFor('airflow-init_1 | ModuleNotFoundError: No module named x')).toBe(
      'fix the cause shown in the log, then run `airflow-ml up` again (data is kept); full log: docker compose logs SERVICE (or docker-compose logs SERVICE)',
    );
  });
});
