/** The DHIS2 id scheme parameters, general first (DHIS2 "Identifier schemes"). */
export type SchemeParameters = Partial<Record<'idScheme' | 'dataElementIdScheme' | 'orgUnitIdScheme' | 'categoryOptionComboIdScheme' | 'dataSetIdScheme', unknown>>;

const SPECIFIC = ['dataElementIdScheme', 'orgUnitIdScheme', 'categoryOptionComboIdScheme', 'dataSetIdScheme'] as const;

/**
 * The first id scheme in force that is not CODE, with the parameter that set it; undefined when
 * every object is read by code. DHIS2's precedence holds: the payload's schemes over the
 * query's, a specific scheme over `idScheme`. None given at all reads codes too: the mapping
 * knows no UIDs, so a UID sent by mistake is reported as an unknown code.
 */
export function unsupportedScheme(query: SchemeParameters, payload: SchemeParameters = {}): { parameter: string; scheme: string } | undefined {
  for (const specific of SPECIFIC) {
    const candidates: [string, unknown][] = [
      [specific, payload[specific]],
      [specific, query[specific]],
      ['idScheme', payload.idScheme],
      ['idScheme', query.idScheme],
    ];
    const inForce = candidates.find(([, v]) => v !== undefined && v !== null && v !== '');
    if (inForce && String(inForce[1]).toUpperCase() !== 'CODE') return { parameter: inForce[0], scheme: String(inForce[1]) };
  }
  return undefined;
}
