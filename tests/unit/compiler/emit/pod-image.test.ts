import { podImage } from '../../../../cli/compiler/emit/pod-operator';
import { flat } from '../../../../cli/compiler/emit/python';
import type { StepTask } from '../../../../cli/compiler/ir/types';

/** Only what podImage reads matters here. */
const task = (image?: string) => ({ image }) as StepTask;

test.each([
  [
    'a step built here',
    task(),
    'airflow-ml-train:0123456789ab',
    'step_image("airflow-ml-train:0123456789ab")',
  ],
  [
    'a prebuilt kind-image step',
    task(),
    'registry.example.com/team/scorer:1.4',
    '"registry.example.com/team/scorer:1.4"',
  ],
  ['a Docker Hub image step', task(), 'team/scorer:1', '"team/scorer:1"'],
  [
    "a spec's image: override",
    task('my/registry:tag'),
    'airflow-ml-train:0123456789ab',
    '"my/registry:tag"',
  ],
])('%s', (_name, t, tagged, python) => {
  expect(flat(podImage(t, tagged))).toBe(python);
});
