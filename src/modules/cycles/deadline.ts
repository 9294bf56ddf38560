/**
 * Indonesia's three time zones have no daylight saving, so a deadline's end of day is a
 * fixed offset from UTC: WIB UTC+7, WITA UTC+8, WIT UTC+9.
 */
export const TIME_ZONES = { 'Asia/Jakarta': 7, 'Asia/Makassar': 8, 'Asia/Jayapura': 9 } as const;
export type TimeZone = keyof typeof TIME_ZONES;

export const ZONE_LABELS: Record<TimeZone, string> = { 'Asia/Jakarta': 'WIB', 'Asia/Makassar': 'WITA', 'Asia/Jayapura': 'WIT' };

/** The zone of a province by its Kemendagri code (the first two digits of any region in it). */
export function zoneOfRegion(code: string): TimeZone {
  const province = Number(code.slice(0, 2));
  // Kalimantan Selatan/Timur/Utara, Sulawesi, Bali, NTB, NTT (51–53, 63–65, 71–76): WITA.
  if ([51, 52, 53, 63, 64, 65, 71, 72, 73, 74, 75, 76].includes(province)) return 'Asia/Makassar';
  // Maluku, Maluku Utara and the Papua provinces (81, 82, 91–97): WIT.
  if (province === 81 || province === 82 || province >= 91) return 'Asia/Jayapura';
  return 'Asia/Jakarta';
}

/** The instant a deadline (a local date) ends: midnight after it, in the cycle's zone. */
export function deadlineEnd(date: string, zone: TimeZone): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1) - TIME_ZONES[zone] * 3_600_000);
}

/** Whole days (started) a delivery came after the deadline ended; 0 when on time. */
export function daysLate(deliveredAt: Date, end: Date): number {
  const late = deliveredAt.getTime() - end.getTime();
  return late <= 0 ? 0 : Math.ceil(late / 86_400_000);
}

/** The instant a local date begins in the zone: the end of the day before. */
export function dayStart(date: string, zone: TimeZone): Date {
  return new Date(deadlineEnd(date, zone).getTime() - 86_400_000);
}

/**
 * Until when a delivery counts as on time: the deadline's end, or the moment the cycle was
 * closed when that came first. A cycle closed early does not keep accepting "on time" data.
 */
export function countedUntil(deadlineEndsAt: Date, closedAt: Date | null): Date {
  return closedAt && closedAt.getTime() < deadlineEndsAt.getTime() ? closedAt : deadlineEndsAt;
}

/** Whether an agency still owing data is reminded now: only in an open cycle, from `days` before the deadline on. */
export function remindsNow(status: string, deadlineEndsAt: Date, days: number, now = Date.now()): boolean {
  return status === 'open' && now >= deadlineEndsAt.getTime() - days * 86_400_000;
}
