import type { FastifyReply, FastifyRequest } from 'fastify';
import { directories } from './directory.js';
import { accountOf, requires, type SampleApi, sampleDocument } from './sample-api.js';
import { contentBody } from './sample-content.js';
import { interactionView } from './sample-data.js';

const READ = requires('interaction-content:read');
const DELETE = requires('interaction-content:delete');

/**
 * The longest search: VCC's parameter text says 7 days, but its own example asks for
 * 2021-01-01T00:00:00Z to 2021-02-01T00:00:00Z, and code copied from it must work here.
 */
const LONGEST_SEARCH = 31 * 86_400_000;

function continuationToken(index: number): string {
  return Buffer.from(JSON.stringify({ after: index })).toString('base64url');
}

function readToken(token: string | undefined): number | undefined {
  if (token === undefined) return 0;
  try {
    const { after } = JSON.parse(Buffer.from(token, 'base64url').toString()) as { after?: unknown };
    return typeof after === 'number' && Number.isInteger(after) && after >= 0 ? after : undefined;
  } catch {
    return undefined;
  }
}

/** The interaction and content item a `/{guid}/content/{contentKey}` request names, if they exist. */
function findContent(request: FastifyRequest) {
  const { guid, contentKey } = request.params as { guid: string; contentKey: string };
  const interaction = directories.of(accountOf(request)).find(guid);
  const content = interaction?.content.find((c) => c.contentKey === contentKey);
  return interaction && content ? { interaction, content } : undefined;
}

function describeContent(request: FastifyRequest): string {
  const { guid, contentKey } = request.params as { guid: string; contentKey: string };
  return `content ${contentKey} for interaction ${guid}`;
}

function notFound(reply: FastifyReply, what: string) {
  return reply.code(404).send({ message: `No ${what}` });
}

/** Interaction Content v2/v3: list, read, download and delete recordings and transcripts. */
export const interactionContent: SampleApi = {
  document: sampleDocument('interaction-content', 'Interaction Content', [2, 3], {
    '/interaction-content/interactions': {
      get: {
        summary: 'List interactions in a time range, paged by continuation token',
        parameters: ['start', 'end', 'limit', 'continuationToken'].map((name) => ({
          name,
          in: 'query',
          schema: { type: 'string' },
        })),
        security: READ,
        responses: { 200: { description: '{items, meta: {nextContinuationToken}}' } },
      },
    },
    '/interaction-content/interactions/{guid}': {
      get: {
        summary: 'Get an interaction',
        security: READ,
        responses: { 200: { description: 'The interaction' } },
      },
    },
    '/interaction-content/interactions/{guid}/content/{contentKey}': {
      get: {
        summary: 'Download a recording or transcript',
        security: READ,
        responses: { 200: { description: 'The content' } },
      },
      delete: {
        summary: 'Delete a recording or transcript',
        security: DELETE,
        responses: { 204: { description: 'Deleted' } },
      },
    },
    '/interaction-content/interactions/delete-batch': {
      post: {
        summary: 'Delete several interactions, with all their content',
        security: DELETE,
        responses: { 200: { description: 'Outcome per interaction' } },
      },
    },
  }),
  register(app) {
    app.get('/interaction-content/interactions', async (request, reply) => {
      const query = request.query as {
        start?: string;
        end?: string;
        limit?: string;
        continuationToken?: string;
      };
      const start = Date.parse(query.start ?? '');
      const end = Date.parse(query.end ?? '');
      const limit = Number(query.limit ?? 100);
      const after = readToken(query.continuationToken);
      if (Number.isNaN(start) || Number.isNaN(end) || end <= start || end - start > LONGEST_SEARCH) {
        return reply
          .code(400)
          .send({ message: 'start and end are required ISO 8601 date-times at most 31 days apart' });
      }
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || after === undefined) {
        return reply.code(400).send({ message: 'limit must be 1–1000 and continuationToken as returned' });
      }
      // VCC lists only interactions that have some content left.
      const matching = directories
        .of(accountOf(request))
        .between(start, end)
        .filter((i) => i.content.length > 0);
      const items = matching.slice(after, after + limit).map(interactionView);
      const more = after + limit < matching.length;
      return { items, meta: { nextContinuationToken: more ? continuationToken(after + limit) : null } };
    });
    app.get('/interaction-content/interactions/:guid', async (request, reply) => {
      const { guid } = request.params as { guid: string };
      const interaction = directories.of(accountOf(request)).find(guid);
      return interaction ? interactionView(interaction) : notFound(reply, `interaction ${guid}`);
    });
    app.get('/interaction-content/interactions/:guid/content/:contentKey', async (request, reply) => {
      const found = findContent(request);
      if (!found) return notFound(reply, describeContent(request));
      const { interaction, content } = found;
      return reply.type(content.contentType).send(contentBody(interaction, content));
    });
    app.delete('/interaction-content/interactions/:guid/content/:contentKey', async (request, reply) => {
      const found = findContent(request);
      if (!found) return notFound(reply, describeContent(request));
      found.interaction.content.splice(found.interaction.content.indexOf(found.content), 1);
      return reply.code(204).send();
    });
    app.post('/interaction-content/interactions/delete-batch', async (request, reply) => {
      const body = (request.body ?? {}) as { guids?: unknown };
      if (
        !Array.isArray(body.guids) ||
        body.guids.length === 0 ||
        body.guids.length > 1000 ||
        !body.guids.every((g) => typeof g === 'string')
      ) {
        return reply.code(400).send({ message: 'guids must be a list of 1–1000 interaction GUIDs' });
      }
      // VCC deletes the interactions with their content, and answers 200 with the failures only;
      // unknown GUIDs are not failures.
      const directory = directories.of(accountOf(request));
      for (const guid of body.guids as string[]) directory.remove(guid);
      return { failures: [] };
    });
  },
};
