import { synthApp, testConfig } from '../helpers/synth';

const FEATURES = ['S3_DATA_EVENTS', 'EKS_AUDIT_LOGS', 'EBS_MALWARE_PROTECTION', 'RDS_LOGIN_EVENTS', 'LAMBDA_NETWORK_LOGS', 'RUNTIME_MONITORING'];

describe('admin detector', () => {
  it('exists once per region in the admin account, with the publishing frequency', () => {
    const synth = synthApp(testConfig());
    const detectors = Object.values(synth.resources('admin', 'aws_guardduty_detector'));
    expect(detectors.map((detector) => detector.region).sort()).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
    for (const detector of detectors) {
      expect(detector).toMatchObject({ enable: true, finding_publishing_frequency: 'FIFTEEN_MINUTES', provider: 'aws' });
    }
    const [provider] = synth.stack('admin').provider.aws;
    expect(provider.allowed_account_ids).toEqual(['222222222222']);
  });

  it('sets every protection plan as a feature, runtime monitoring with its agent management', () => {
    const features = Object.values(synthApp(testConfig()).resources('admin', 'aws_guardduty_detector_feature'));
    expect(features).toHaveLength(3 * FEATURES.length);
    const addresses = Object.keys(synthApp(testConfig()).resources('admin', 'aws_guardduty_detector_feature'));
    expect(addresses.filter((address) => address.includes('us-west-2')).sort()).toEqual(FEATURES.map((name) => `feature["us-west-2/${name}"]`).sort());
    const usWest2 = features.filter((feature) => feature.region === 'us-west-2');
    expect(usWest2.map((feature) => feature.name).sort()).toEqual([...FEATURES].sort());
    expect(usWest2.every((feature) => feature.status === 'ENABLED')).toBe(true);
    const runtime = usWest2.find((feature) => feature.name === 'RUNTIME_MONITORING');
    expect(runtime.additional_configuration).toEqual([
      { name: 'EKS_ADDON_MANAGEMENT', status: 'ENABLED' },
      { name: 'ECS_FARGATE_AGENT_MANAGEMENT', status: 'ENABLED' },
      { name: 'EC2_AGENT_MANAGEMENT', status: 'ENABLED' },
    ]);
    // EKS_RUNTIME_MONITORING is superseded by RUNTIME_MONITORING and conflicts with it.
    expect(features.some((feature) => feature.name === 'EKS_RUNTIME_MONITORING')).toBe(false);
  });

  it('disables a plan that is switched off instead of leaving GuardDuty defaults', () => {
    const config = testConfig({ protection: { s3: false, runtimeMonitoring: false } });
    const features = Object.values(synthApp(config).resources('admin', 'aws_guardduty_detector_feature')).filter((feature) => feature.region === 'us-east-1');
    const status = Object.fromEntries(features.map((feature) => [feature.name, feature.status]));
    expect(status).toEqual({
      S3_DATA_EVENTS: 'DISABLED',
      EKS_AUDIT_LOGS: 'ENABLED',
      EBS_MALWARE_PROTECTION: 'ENABLED',
      RDS_LOGIN_EVENTS: 'ENABLED',
      LAMBDA_NETWORK_LOGS: 'ENABLED',
      RUNTIME_MONITORING: 'DISABLED',
    });
    const runtime = features.find((feature) => feature.name === 'RUNTIME_MONITORING');
    expect(runtime.additional_configuration.every((entry: { status: string }) => entry.status === 'DISABLED')).toBe(true);
  });

  it('imports an existing detector with its region instead of creating a second one', () => {
    const existing = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const synth = synthApp(testConfig({ existingDetectors: { '222222222222': { 'us-east-1': existing } } }));
    const imports = synth.stack('admin').import;
    expect(imports).toHaveLength(1);
    const detectors = synth.resources('admin', 'aws_guardduty_detector');
    expect(Object.keys(detectors).sort()).toEqual(['detector["eu-west-1"]', 'detector["us-east-1"]', 'detector["us-west-2"]']);
    expect(imports[0]).toEqual({ id: `${existing}@us-east-1`, provider: 'aws', to: 'aws_guardduty_detector.detector["us-east-1"]' });
  });

  it('imports nothing when no detector exists', () => {
    expect(synthApp(testConfig()).stack('admin').import).toBeUndefined();
  });
});
