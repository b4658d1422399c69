// /version, discovery (/api, /apis, /api/v1, /apis/<g>/<v>) and the OpenAPI v3 documents kubectl
// uses for validation and `explain`.
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { openApiV3Document, openApiV3Index } from '@flotilla/resources';
import { AGGREGATED_V2BETA1, discoveryDocuments, VERSION_INFO, wantsAggregated } from './discovery';
import { RequestPipeline } from './pipeline';
import { ApiError } from './status';

@ApiExcludeController()
@Controller()
export class DiscoveryController {
  constructor(private readonly pipeline: RequestPipeline) {}

  private serve(req: FastifyRequest, reply: FastifyReply, path: string, body: () => { json: string; contentType?: string }): Promise<void> {
    return this.pipeline.run(
      req,
      reply,
      () => ({ plural: path, attrs: { verb: 'get', group: '', resource: '', subresource: '', namespace: '', name: '', path } }),
      async () => ({ code: 200, ...body() }),
    );
  }

  @Get('version')
  version(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(req, reply, '/version', () => ({ json: JSON.stringify(VERSION_INFO) }));
  }

  @Get(['api', 'apis'])
  groups(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const path = req.url.split('?')[0].replace(/\/$/, '');
    return this.serve(req, reply, path, () => {
      const aggregated = wantsAggregated(req.headers.accept);
      const docs = discoveryDocuments();
      if (!aggregated) return { json: docs.get(path) as string };
      let json = docs.get(`aggregated:${path}`) as string;
      if (aggregated === AGGREGATED_V2BETA1) json = json.replace('"apidiscovery.k8s.io/v2"', '"apidiscovery.k8s.io/v2beta1"');
      return { json, contentType: aggregated };
    });
  }

  @Get('api/v1')
  coreResources(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(req, reply, '/api/v1', () => ({ json: discoveryDocuments().get('/api/v1') as string }));
  }

  @Get('apis/:group/:version')
  groupResources(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('group') group: string, @Param('version') version: string): Promise<void> {
    const path = `/apis/${group}/${version}`;
    return this.serve(req, reply, path, () => {
      const json = discoveryDocuments().get(path);
      if (!json) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return { json };
    });
  }

  @Get('openapi/v3')
  openapiIndex(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(req, reply, '/openapi/v3', () => ({ json: JSON.stringify(openApiV3Index()) }));
  }

  @Get('openapi/v3/*')
  openapiDoc(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const gv = (req.params as Record<string, string>)['*'];
    return this.serve(req, reply, '/openapi/v3', () => {
      const doc = openApiV3Document(gv);
      if (!doc) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      // The hash in the URL pins the content, so clients may cache it for long.
      reply.header('cache-control', 'public, immutable, max-age=31536000');
      return { json: JSON.stringify(doc) };
    });
  }
}
