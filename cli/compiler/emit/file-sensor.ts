/**
 * The sensor class, emitted once into every DAG file that has sensors: the standard
 * provider's FileSensor, poking the same `fs_default` path, with two refusals. The provider
 * globs its path (so "models/*" matched any model) and joins it to the connection's base
 * (so an absolute path, or one with "..", looked anywhere). A path is rendered from the spec
 * and from variables such as PROD_DIR, so this subclass fails the task (no retry) when the
 * rendered path has a glob character or resolves, symlinks followed, outside the data root.
 * It keeps the name FileSensor, like the step operator keeps DockerOperator.
 */
export const PROVIDER_SENSOR = 'ProviderFileSensor';

export function fileSensorClass(): string {
  return [
    `class FileSensor(${PROVIDER_SENSOR}):`,
    '    """The standard provider\'s FileSensor that never globs and never leaves the data root."""',
    '',
    '    def poke(self, context):',
    '        base = os.path.realpath(FSHook(self.fs_conn_id).get_path())',
    '        target = os.path.realpath(self.path)',
    '        if any(c in self.filepath for c in "*?["):',
    '            raise AirflowFailException(',
    '                f"{self.task_id}: {self.filepath!r} has a glob character; sensors match one path"',
    '            )',
    '        if os.path.commonpath([base, target]) != base:',
    '            raise AirflowFailException(',
    '                f"{self.task_id}: {self.filepath!r} resolves to {target}, outside the data root {base}"',
    '            )',
    '        self.log.info("Poking for file %s", target)',
    '        return os.path.isfile(target)',
    // ruff wants two blank lines after a class; sections are joined by one.
    '',
  ].join('\n');
}
