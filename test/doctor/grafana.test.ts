// Grafana dashboard sidecar versus our dashboard ConfigMaps (no cluster is used).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grafanaDashboards } from '../../scripts/doctor/checks/grafana.js';
import { grafanaSidecars } from '../../scripts/doctor/grafana-sidecar.js';
import { must } from '../helpers/must.js';
import { dashboardConfigMap, healthySnapshot, kpsGrafanaDeployment, deployment } from './fixtures.js';

describe('grafanaSidecars', () => {
  it("when Grafana Deployments are read, then kube-prometheus-stack's grafana-sc-dashboard settings are found and other containers ignored", () => {
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
  it('when NAMESPACE is missing, then the Grafana namespace only is searched; when it lists several, then they are split', () => {
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
  it('when the sidecar label and namespaces match, then it passes', () => {
    const r = grafanaDashboards(healthySnapshot());
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /grafana_dashboard=1/);
  });
  it('when the label differs, then it fails and gives the values fix', () => {
    const s = healthySnapshot();
    s.dashboards = [dashboardConfigMap({ grafana_dashboards: '1' })];
    const r = grafanaDashboards(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /looks for label grafana_dashboard=1, absent/);
    assert.match(r.fix ?? '', /--set-string dashboards\.labels\.grafana_dashboard=1/);
  });
  it('when the label value differs, then it fails naming both values', () => {
    const s = healthySnapshot();
    s.dashboards = [dashboardConfigMap({ grafana_dashboard: 'true' })];
    assert.match(grafanaDashboards(s).detail, /wants grafana_dashboard=1, .* has grafana_dashboard=true/);
  });
  it('when the sidecar does not search our namespace, then it fails with the searchNamespace fix', () => {
    const s = healthySnapshot();
    s.grafanaSidecars = [{ ...must(s.grafanaSidecars[0], 'the Grafana sidecar'), searchNamespaces: undefined }];
    const r = grafanaDashboards(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /searches namespace\(s\) monitoring, the dashboards are in blog/);
    assert.match(r.fix ?? '', /searchNamespace=ALL/);
  });
  it('when there is no sidecar, then it fails; when there are no dashboards, then it warns', () => {
    const s = healthySnapshot();
    s.grafanaSidecars = [];
    assert.equal(grafanaDashboards(s).status, 'fail');
    s.dashboards = [];
    assert.equal(grafanaDashboards(s).status, 'warn');
  });
});
