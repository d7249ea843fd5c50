import { clientFromFlags, positiveNumber, type AirflowCommandFlags } from '../config/cli-options';
import { note, out } from '../output/print';
import { loadEnv } from '../base/env';
import { deploy } from '../ops/deploy/deploy';
import { describePlan } from '../ops/deploy/plan';
import { deployLocations, parseVarFlags } from '../ops/deploy/settings';
import { projectRoot } from '../base/paths';
import { compileOrThrow } from '../compiler/project';

export interface DeployFlags extends AirflowCommandFlags {
  specs: string;
  dagsFolder?: string;
  /** A path, or false with --no-bundle-repo. */
  bundleRepo?: string | false;
  dataRoot?: string;
  prodDir?: string;
  var?: string[];
  parseTimeout?: string;
  unpause: boolean;
  firstRuns?: boolean;
  dryRun?: boolean;
}

/** `deploy`: compile, then plan and apply the deploy (cli/ops/deploy); --dry-run stops at the plan. */
export async function runDeploy(flags: DeployFlags): Promise<void> {
  // Flags first: a usage error needs no configuration and no server.
  const variables = parseVarFlags(flags.var);
  const parseTimeoutMs = positiveNumber('--parse-timeout', flags.parseTimeout, 360) * 1000;
  const [root, env] = [projectRoot(), loadEnv()];
  const { plan, result } = await deploy(clientFromFlags(flags, env), {
    compile: () => compileOrThrow({ root, specsDir: flags.specs }),
    ...deployLocations(flags, env, root),
    prodDir: flags.prodDir,
    variables,
    env,
    unpause: flags.unpause,
    firstRuns: flags.firstRuns,
    dryRun: flags.dryRun,
    parseTimeoutMs,
    report: (e) => note(`[${e.phase}] ${e.message}`),
  });
  if (!result) describePlan(plan).forEach((l) => out(l));
  else out(`deployed ${plan.dagIds.length} DAG(s): ${plan.dagIds.join(', ') || 'none'}`);
}
