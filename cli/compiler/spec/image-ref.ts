/**
 * Docker image references, as the distribution/reference grammar defines them:
 * [registry[:port]/]path[:tag][@digest]. DockerOperator renders `image` as a Jinja template
 * and the Docker daemon resolves its registry host by DNS, so an unchecked string there could
 * run template code or leak a rendered secret through a lookup. Only real references pass.
 */
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);

/** Longest reference accepted (Docker caps the name part at 255 characters). */
const MAX_REFERENCE = 512;
const MAX_NAME = 255;

/** A problem with `value` as an image reference, or undefined when it is one. */
export function checkImageReference(value: string): string | undefined {
  const match = value.length <= MAX_REFERENCE ? REFERENCE.exec(value) : null;
  if (match === null) {
    return `"${value.slice(0, 80)}" is not a Docker image reference`;
  }
  if (match[1].length > MAX_NAME) return `the image name is longer than ${MAX_NAME} characters`;
  return undefined;
}

export const IMAGE_REFERENCE_HINT =
  'write [registry[:port]/]name[:tag][@sha256:...], e.g. "registry.example.com/ml/train:1.4"; templates are not allowed here';
