import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { repoRoot } from '../support/processes';

/**
 * What CI can check of deployments it does not run: every Kubernetes object
 * validates against the Kubernetes OpenAPI schemas, the rules the manifests
 * promise hold, and every variable the manifests and compose files set is one
 * that config.ts reads.
 */
const kubernetesDir = path.join(repoRoot, 'deploy/kubernetes');

interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [field: string]: unknown;
}

// Each model validates the fields it holds: the parsed object's fields are copied onto an empty one.
const MODELS: Record<string, new () => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
};

function readYaml(file: string): unknown {
  return parse(fs.readFileSync(file, 'utf8'), { merge: true });
}

const kustomization = readYaml(path.join(kubernetesDir, 'kustomization.yaml')) as { resources: string[] };

const objects: KubernetesObject[] = kustomization.resources.flatMap((resource) =>
  parseAllDocuments(fs.readFileSync(path.join(kubernetesDir, resource), 'utf8')).map((document) => {
    if (document.errors.length > 0) {
      throw new Error(`${resource}: ${document.errors.map((error) => error.message).join('; ')}`);
    }
    return document.toJS() as KubernetesObject;
  }),
);

function ofKind<T>(kind: string): (KubernetesObject & T)[] {
  return objects.filter((object) => object.kind === kind) as (KubernetesObject & T)[];
}

interface Probe {
  httpGet?: { path: string };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { terminationGracePeriodSeconds?: number; containers: Container[] };
}
type DeploymentObject = { spec: { template: PodTemplate } };

/** The names config.ts reads: every quoted upper-case name in it. */
function configVariables(): Set<string> {
  const source = fs.readFileSync(path.join(repoRoot, 'apps/server/src/config/config.ts'), 'utf8');
  return new Set([...source.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((match) => match[1] ?? ''));
}

/** The environment each Loadline service of a compose file sets (third-party images excluded). */
function composeVariables(file: string, loadlineServices: Set<string>): string[] {
  const compose = readYaml(path.join(repoRoot, file)) as {
    services: Record<string, { environment?: Record<string, string> }>;
  };
  return Object.entries(compose.services)
    .filter(([name]) => loadlineServices.has(name))
    .flatMap(([, service]) => Object.keys(service.environment ?? {}));
}

describe('deployment manifests', () => {
  it('lists every manifest in kustomization.yaml', () => {
    const files = fs
      .readdirSync(kubernetesDir)
      .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  it('every Kubernetes object validates against the Kubernetes OpenAPI schemas', () => {
    expect(objects.length).toBeGreaterThan(10);
    for (const object of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      if (Model === undefined) {
        throw new Error(`${object.kind} ${object.metadata.name}: no schema for ${object.apiVersion}`);
      }
      expect(
        () => Object.assign(new Model(), object).validate(),
        `${object.kind} ${object.metadata.name}`,
      ).not.toThrow();
    }
  });

  it('a Deployment per role, each probed, sized, drained in time and covered by an HPA and a PDB', () => {
    const config = ofKind<{ data: Record<string, string> }>('ConfigMap')[0];
    const drainMs = Number(config?.data.SHUTDOWN_TIMEOUT_MS);
    expect(drainMs).toBeGreaterThan(0);
    const deployments = ofKind<DeploymentObject>('Deployment');
    expect(deployments.map((deployment) => deployment.spec.template.spec.containers[0]?.args)).toEqual([
      ['start', '--roles', 'api'],
      ['start', '--roles', 'realtime'],
      ['start', '--roles', 'worker'],
    ]);
    for (const deployment of deployments) {
      const pod = deployment.spec.template.spec;
      const [container] = pod.containers;
      const name = deployment.metadata.name;
      expect(container?.readinessProbe?.httpGet?.path, name).toBe('/readyz');
      expect(container?.livenessProbe?.httpGet?.path, name).toBe('/healthz');
      expect(Object.keys(container?.resources?.requests ?? {}).sort(), name).toEqual(['cpu', 'memory']);
      expect(container?.resources?.limits?.memory, name).toBeDefined();
      const preStopMs = container?.lifecycle?.preStop === undefined ? 0 : 5_000;
      expect((pod.terminationGracePeriodSeconds ?? 30) * 1000, name).toBeGreaterThan(drainMs + preStopMs);
      const scaled = ofKind<{ spec: { scaleTargetRef: { name: string } } }>('HorizontalPodAutoscaler');
      expect(
        scaled.some((hpa) => hpa.spec.scaleTargetRef.name === name),
        name,
      ).toBe(true);
      const budgets = ofKind<{ spec: { selector: { matchLabels: Record<string, string> } } }>(
        'PodDisruptionBudget',
      );
      const labels = deployment.spec.template.metadata.labels;
      expect(
        budgets.some((pdb) =>
          Object.entries(pdb.spec.selector.matchLabels).every(([key, value]) => labels[key] === value),
        ),
        name,
      ).toBe(true);
    }
  });

  it('every variable the manifests and the compose files set is one config.ts reads', () => {
    const known = configVariables();
    expect(known.has('DATABASE_SHARDS')).toBe(true);
    const fromKubernetes = [
      ...ofKind<{ data: Record<string, string> }>('ConfigMap').flatMap((map) => Object.keys(map.data)),
      ...ofKind<{ stringData?: Record<string, string>; data?: Record<string, string> }>('Secret').flatMap(
        (secret) => [...Object.keys(secret.stringData ?? {}), ...Object.keys(secret.data ?? {})],
      ),
      ...[...ofKind<DeploymentObject>('Deployment'), ...ofKind<DeploymentObject>('Job')].flatMap((owner) =>
        owner.spec.template.spec.containers.flatMap((container) =>
          (container.env ?? []).map((env) => env.name),
        ),
      ),
    ];
    const loadlineServices = new Set(['migrate', 'api-1', 'api-2', 'worker']);
    const fromCompose = [
      ...composeVariables('compose.yaml', loadlineServices),
      ...composeVariables('compose.host-network.yaml', loadlineServices),
    ];
    expect(fromKubernetes.length).toBeGreaterThan(3);
    expect(fromCompose.length).toBeGreaterThan(3);
    expect([...new Set([...fromKubernetes, ...fromCompose])].filter((name) => !known.has(name))).toEqual([]);
  });

  it('compose runs the image for every Loadline service and a volume per database', () => {
    const compose = readYaml(path.join(repoRoot, 'compose.yaml')) as {
      services: Record<string, { image?: string; volumes?: string[] }>;
      volumes: Record<string, unknown>;
    };
    for (const name of ['migrate', 'api-1', 'api-2', 'worker']) {
      expect(compose.services[name]?.image, name).toBe('${LOADLINE_IMAGE:-loadline:latest}');
    }
    for (const database of ['mariadb-0', 'mariadb-1', 'redis']) {
      const volume = compose.services[database]?.volumes?.[0]?.split(':')[0];
      expect(volume, database).toBe(database);
      expect(Object.keys(compose.volumes)).toContain(volume);
    }
  });
});
