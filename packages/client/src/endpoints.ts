/** The real VCC regions and their hosts. */
export type VccRegion = 'emea' | 'nam' | 'apac';

export const VCC_REGIONS: readonly VccRegion[] = ['emea', 'nam', 'apac'];

export function vccTokenUrl(region: VccRegion): string {
  return `https://${region}.cc.vonage.com/Auth/connect/token`;
}

export function vccApiBaseUrl(region: VccRegion): string {
  return `https://${region}.api.cc.vonage.com`;
}

export function assertRegion(region: string): asserts region is VccRegion {
  if (!VCC_REGIONS.includes(region as VccRegion)) {
    throw new TypeError(
      `region must be one of ${VCC_REGIONS.join(', ')}; for another server pass issuer or tokenUrl`,
    );
  }
}
