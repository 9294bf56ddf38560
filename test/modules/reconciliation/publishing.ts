import { datasetBody } from '../../helpers/datasets.js';
import type { TestContext } from '../../helpers/test-app.js';

/**
 * Publishing as the review workflow does it (push, verify, publish by two national walidata),
 * shared by the reconciliation and pull API tests: reconciliation runs at publication.
 */

export type Auth = { authorization: string };

export interface Observation {
  indicator: string;
  region: string;
  period: string;
  value: number;
  sex?: string;
  obs_status?: string;
  note?: string;
}

export async function publishing(ctx: TestContext) {
  const { app } = ctx;
  const verifier = await ctx.login('walidata');
  const publisher = await ctx.login('walidata');

  /** Pushes `observations` as the next version of the dataset and publishes it; returns the version number. */
  async function revise(producer: Auth, datasetId: string, observations: Observation[]): Promise<number> {
    const pushed = await app.inject({ method: 'POST', url: `/v1/datasets/${datasetId}/versions`, headers: producer, payload: { observations } });
    if (pushed.json().status !== 'submitted') throw new Error(pushed.body);
    const version = pushed.json().version as number;
    const review = (action: string, auth: Auth) => app.inject({ method: 'POST', url: `/v1/datasets/${datasetId}/versions/${version}/review`, headers: auth, payload: { action } });
    await review('verify', verifier.auth);
    const published = await review('publish', publisher.auth);
    if (published.statusCode !== 200) throw new Error(published.body);
    return version;
  }

  /** A new dataset of the producer's, its first version holding `observations`, published; returns the dataset id. */
  async function publish(producer: Auth, observations: Observation[], classification = 'terbatas'): Promise<string> {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/datasets',
      headers: producer,
      payload: {
        ...datasetBody,
        indicators: [...new Set(observations.map((o) => o.indicator))],
        reference_periods: [...new Set(observations.map((o) => o.period))],
        access_classification: classification,
      },
    });
    if (created.statusCode !== 201) throw new Error(created.body);
    const id = created.json().id as string;
    await revise(producer, id, observations);
    return id;
  }

  return { verifier, publisher, publish, revise };
}
