// Grafana dashboard sidecar versus our dashboard ConfigMaps (no cluster is used).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grafanaDashboards } from '../../scripts/doctor/checks/grafana.js';
import { grafanaSidecars } from '../../scripts/doctor/grafana-sidecar.js';
import { dashboardConfigMap, healthySnapshot, kpsGrafanaDeployment, deployment } from './fixtures.js';

describe('grafanaSidecars', () => {
  it("reads kube-prometheus-stack's grafana-sc-dashboard settings and ignores other containers", () => {
    const found = grafanaSidecars([kpsGrafanaDeployment(), deployment()]);
    assert.deepEqual(found, [
      {
        grafana: 'monitoring/kube-prometheus-stack-grafana',
        namespace: 'monitoring',
        label: 'grafana_dashboard',
        labelValue: '1',
        searchNamespaces: 'ALL',
        resource: 'both',
      },
    ]);
  });
  it('treats a missing NAMESPACE as the Grafana namespace only and splits lists', () => {
    const [own] = grafanaSidecars([kpsGrafanaDeployment({ LABEL: 'grafana_dashboard', FOLDER: '/tmp/dashboards' })]);
    assert.equal(own?.searchNamespaces, undefined);
    assert.equal(own?.labelValue, undefined);
    const [list] = grafanaSidecars([
      kpsGrafanaDeployment({ LABEL: 'd', NAMESPACE: 'monitoring, blog', FOLDER: '/tmp/dashboards' }),
    ]);
    assert.deepEqual(list?.searchNamespaces, ['monitoring', 'blog']);
  });
});

describe('grafanaDashboards', () => {
  it('passes when the sidecar label and namespaces match', () => {
    const r = grafanaDashboards(healthySnapshot());
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /grafana_dashboard=1/);
  });
  it('fails on a label mismatch and gives the values fix', () => {
    const s = healthySnapshot();
    s.dashboards = [dashboardConfigMap({ grafana_dashboards: '1' })];
    const r = grafanaDashboards(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /looks for label grafana_dashboard=1, absent/);
    assert.match(r.fix ?? '', /--set-string dashboards\.labels\.grafana_dashboard=1/);
  });
  it('fails on a label value mismatch', () => {
    const s = healthySnapshot();
    s.dashboards = [dashboardConfigMap({ grafana_dashboard: 'true' })];
    assert.match(grafanaDashboards(s).detail, /wants grafana_dashboard=1, .* has grafana_dashboard=true/);
  });
  it('fails when the sidecar does not search our namespace', () => {
    const s = healthySnapshot();
    s.grafanaSidecars = [{ ...s.grafanaSidecars[0]!, searchNamespaces: undefined }];
    const r = grafanaDashboards(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /searches namespace\(s\) monitoring, the dashboards are in blog/);
    assert.match(r.fix ?? '', /searchNamespace=ALL/);
  });
  it('fails without any sidecar and warns without dashboards', () => {
    const s = healthySnapshot();
    s.grafanaSidecars = [];
    assert.equal(grafanaDashboards(s).status, 'fail');
    s.dashboards = [];
    assert.equal(grafanaDashboards(s).status, 'warn');
  });
});
