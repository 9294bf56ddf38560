import { TIME_ZONES, ZONE_LABELS, type TimeZone } from './deadline.js';

/**
 * Dates and times as an Indonesian official letter writes them: "7 Desember 2026",
 * "7 Desember 2026, 14.05 WIB" (a dot between hours and minutes, the zone named), always in
 * the cycle's zone so a report printed in Jayapura does not carry Jakarta's or UTC's clock.
 */
const MONTHS = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];

/** A local date (yyyy-mm-dd) written out: "31 Januari 2026". */
export function indonesianDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/** The local date (yyyy-mm-dd) of an instant in the zone; the zones keep no daylight saving. */
export function localDate(instant: Date, zone: TimeZone): string {
  return new Date(instant.getTime() + TIME_ZONES[zone] * 3_600_000).toISOString().slice(0, 10);
}

/** An instant in the zone: "7 Desember 2026, 14.05 WIB". */
export function indonesianDateTime(instant: Date, zone: TimeZone): string {
  const local = new Date(instant.getTime() + TIME_ZONES[zone] * 3_600_000).toISOString();
  return `${indonesianDate(local.slice(0, 10))}, ${local.slice(11, 13)}.${local.slice(14, 16)} ${ZONE_LABELS[zone]}`;
}
