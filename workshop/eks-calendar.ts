/**
 * The EKS Kubernetes release calendar, as the simulated AWS needs it to know
 * which versions a cluster may run or roll back to on a given day
 * (workshop/simulated-aws.ts), and as the tests check the add-on table against
 * (test/kubernetes-versions.test.ts). Dates are UTC days; each row's sources
 * are in docs/kubernetes-versions.md, whose table must agree with this one.
 */

export interface EksMinor {
  readonly minor: string;
  /** When EKS made it available. */
  readonly released: string;
  /** End of standard support: from this day on, extended support (billed), or an automatic upgrade with upgrade policy STANDARD. */
  readonly endOfStandardSupport: string;
  /** End of extended support: from this day on, clusters are upgraded automatically and none can be created. */
  readonly endOfExtendedSupport: string;
}

/** Oldest first. */
export const EKS_CALENDAR: readonly EksMinor[] = [
  { minor: '1.30', released: '2024-05-23', endOfStandardSupport: '2025-07-23', endOfExtendedSupport: '2026-07-23' },
  { minor: '1.31', released: '2024-09-26', endOfStandardSupport: '2025-11-26', endOfExtendedSupport: '2026-11-26' },
  { minor: '1.32', released: '2025-01-23', endOfStandardSupport: '2026-03-23', endOfExtendedSupport: '2027-03-23' },
  { minor: '1.33', released: '2025-05-29', endOfStandardSupport: '2026-07-29', endOfExtendedSupport: '2027-07-29' },
  { minor: '1.34', released: '2025-10-02', endOfStandardSupport: '2026-12-02', endOfExtendedSupport: '2027-12-02' },
  { minor: '1.35', released: '2026-01-28', endOfStandardSupport: '2027-03-27', endOfExtendedSupport: '2028-03-27' },
  { minor: '1.36', released: '2026-06-02', endOfStandardSupport: '2027-08-02', endOfExtendedSupport: '2028-08-02' },
];

/** The day the calendar was last checked against its sources. */
export const CALENDAR_CHECKED_ON = '2026-12-06';

export type Support = 'unreleased' | 'standard' | 'extended' | 'ended';

/** Where `minor` stands on `day` (YYYY-MM-DD); undefined for a minor the calendar lacks. */
export function supportOn(minor: string, day: string): Support | undefined {
  const row = EKS_CALENDAR.find((m) => m.minor === minor);
  if (!row) return undefined;
  if (day < row.released) return 'unreleased';
  if (day < row.endOfStandardSupport) return 'standard';
  if (day < row.endOfExtendedSupport) return 'extended';
  return 'ended';
}

/** The minors EKS supports on `day`, in standard or extended support, oldest first. */
export function supportedMinors(day: string): string[] {
  return EKS_CALENDAR.filter((m) => ['standard', 'extended'].includes(supportOn(m.minor, day)!)).map((m) => m.minor);
}
