import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { apiPaths } from '../../../cli/ops/airflow/paths';
import { waitForRun } from '../../../cli/ops/airflow/runs';
import type { DagRunCollection, DagRunResponse } from '../../../cli/ops/airflow/api-types';
import { up } from '../../../cli/ops/stack/up';
import { ROOT, runCli } from '../support/cli';
import {
  DAG_IDS,
  DATA_ROOT,
  LOCATION,
  ensureStackEnv,
  log,
  requireStackPrerequisites,
  stackClient,
  stackSettings,
  downLeavingNoDatabase,
} from '../stack/support';

/**
 * The Airflow 3 UI of the compose stack in Debian's chromium (driven by playwright-core; no
 * browser is ever downloaded): log in, see the three DAGs, open train_model's graph, trigger
 * generate_data and see the run. Screenshots go to docs/img for the docs.
 */

const CHROMIUM = '/usr/bin/chromium';
const IMG_DIR = path.join(ROOT, 'docs', 'img');
const UI_TIMEOUT_MS = 30_000;
/** How long up's first runs may take to promote a model (the stack test measures 50-110 s). */
const FIRST_LOOP_MS = 6 * 60_000;

let context: BrowserContext;
let page: Page;
let profileDir: string;

async function manualRuns(dagId: string): Promise<DagRunResponse[]> {
  const page = await stackClient().get<DagRunCollection>(apiPaths.dagRuns(dagId), {
    query: { limit: 100 },
  });
  return page.dag_runs.filter((r) => r.run_type === 'manual');
}

describe('Airflow UI of the local stack (chromium)', () => {
  beforeAll(async () => {
    await requireStackPrerequisites(
      fs.existsSync(CHROMIUM)
        ? []
        : [`Debian's chromium at ${CHROMIUM}: apt-get install chromium (scripts/setup.sh does)`],
    );
    await ensureStackEnv();
    await up({ ...LOCATION, report: log });
    profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1400, height: 900 },
    });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    page = context.pages()[0] ?? (await context.newPage());
  }, 900_000);

  afterAll(async () => {
    await context?.close();
    if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
    await downLeavingNoDatabase();
  }, 300_000);

  it('logs in and lists the shipped DAGs', async () => {
    const { url, username, password } = stackSettings();
    await page.goto(`${url}/`);
    // FAB's sign-in form (the compose stack uses the FAB auth manager).
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await page.click('input[type=submit], button[type=submit]');
    await page.waitForURL(`${url}/`);
    await page.goto(`${url}/dags`);
    for (const dagId of DAG_IDS) {
      await page.locator(`a[href="/dags/${dagId}"]`, { hasText: dagId }).first().waitFor();
    }
    await page.getByText(`${DAG_IDS.length} Dags`).waitFor();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: path.join(IMG_DIR, 'dags.png') });
  }, 120_000);

  it("opens train_model's graph: sensors, then the five step containers", async () => {
    const { url } = stackSettings();
    await page.goto(`${url}/dags/train_model`);
    await page.getByRole('button', { name: /Show Graph/ }).click();
    const nodes = page.locator('.react-flow__node');
    await nodes.nth(6).waitFor();
    const labels = await nodes.allTextContents();
    expect(labels.sort()).toEqual([
      'preprocessDockerOperator',
      'promoteDockerOperator',
      'splitDockerOperator',
      'trainDockerOperator',
      'validateDockerOperator',
      'wait_for_dataFileSensor',
      'wait_for_targetFileSensor',
    ]);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: path.join(IMG_DIR, 'train_graph.png') });
  }, 120_000);

  it('triggers generate_data from the UI; the run appears and succeeds', async () => {
    const { url } = stackSettings();
    const before = new Set((await manualRuns('generate_data')).map((r) => r.dag_run_id));
    await page.goto(`${url}/dags/generate_data`);
    await page.getByRole('button', { name: 'Trigger Dag' }).click();
    const dialog = page.getByRole('dialog');
    const posted = page.waitForResponse(
      (r) =>
        r.request().method() === 'POST' && r.url().endsWith('/api/v2/dags/generate_data/dagRuns'),
    );
    await dialog.getByRole('button', { name: 'Trigger', exact: true }).click();
    expect((await posted).status()).toBe(200);

    const created = (await manualRuns('generate_data')).filter((r) => !before.has(r.dag_run_id));
    expect(created).toHaveLength(1);
    const runId = created[0].dag_run_id;
    // The run is listed in the UI's Runs tab ...
    await page.goto(`${url}/dags/generate_data/runs`);
    await page
      .locator(`a[href*="${encodeURIComponent(runId)}"], a[href*="${runId}"]`)
      .first()
      .waitFor();
    // ... and the stack's scheduler runs it to the end.
    const { run, finished } = await waitForRun(stackClient(), 'generate_data', runId, {
      timeoutMs: 5 * 60_000,
    });
    expect({ finished, state: run.state }).toEqual({ finished: true, state: 'success' });
  }, 420_000);

  it('renders the production model card (airflow-ml models show) in the browser', async () => {
    // up's first runs close the loop by themselves (generate, train, promote): wait for the
    // promoted model rather than count on an earlier test file's data root.
    const productionModels = () => {
      const listed = runCli(['models', 'list', '--json', '--data-root', DATA_ROOT]);
      expect(listed.code).toBe(0);
      return (
        JSON.parse(listed.stdout) as { ds: string; version: string; production: boolean }[]
      ).filter((m) => m.production);
    };
    const started = Date.now();
    let production = productionModels();
    while (production.length === 0 && Date.now() - started < FIRST_LOOP_MS) {
      await new Promise((r) => setTimeout(r, 5000));
      production = productionModels();
    }
    expect(production).toHaveLength(1);
    const ref = `${production[0].ds}/${production[0].version}`;
    const card = path.join(profileDir, 'card.html');
    const shown = runCli(['models', 'show', ref, '--data-root', DATA_ROOT, '--output', card]);
    expect(shown.stdout).toBe(`wrote ${card} (model ${ref})\n`);
    await page.goto(`file://${card}`);
    await expect(page.locator('h1').textContent()).resolves.toBe(`Model ${ref}`);
    await page.getByText('passed the gate').waitFor();
    await page.getByText('in production').waitFor();
    await page.locator('svg polyline').waitFor();
    const auc = await page.locator('svg text', { hasText: 'AUC' }).textContent();
    expect(auc).toMatch(/^AUC 0\.\d{4}$/);
    await page.screenshot({ path: path.join(IMG_DIR, 'model_card.png'), fullPage: true });
  }, 480_000);
});
