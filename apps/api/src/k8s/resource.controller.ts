// Routes for every Kubernetes resource path; the path itself is parsed by parseResourcePath.
import { All, Controller, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestPipeline } from './pipeline';
import { parseResourcePath, RequestInfo } from './request-info';
import type { Query } from './query';
import { ResourceService } from './resource.service';

@ApiExcludeController()
@Controller()
export class ResourceController {
  constructor(
    private readonly pipeline: RequestPipeline,
    private readonly resources: ResourceService,
  ) {}

  @All('api/v1/*')
  core(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(req, reply, '', 'v1');
  }

  @All('apis/:group/:version/*')
  grouped(@Req() req: FastifyRequest<{ Params: { group: string; version: string } }>, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(req, reply, req.params.group, req.params.version);
  }

  private serve(req: FastifyRequest, reply: FastifyReply, group: string, version: string): Promise<void> {
    let info: RequestInfo;
    const query = req.query as Query;
    return this.pipeline.run(
      req,
      reply,
      () => {
        const rest = (req.params as Record<string, string>)['*'] ?? '';
        const watch = query.watch === 'true' || query.watch === '1';
        info = parseResourcePath(group, version, rest.split('/'), req.method, watch);
        return {
          plural: info.type.plural,
          attrs: {
            verb: info.verb,
            group: info.type.group,
            resource: info.type.plural,
            subresource: info.subresource,
            namespace: info.namespace,
            name: info.name,
          },
        };
      },
      (user, _d, visible) =>
        this.resources.handle({
          info,
          user,
          visible,
          query,
          headers: req.headers,
          body: req.body as Buffer | undefined,
          res: reply.raw,
          onClose: (fn) => {
            reply.hijack();
            req.raw.on('close', fn);
            reply.raw.on('close', fn);
          },
          takeSocket: () => {
            reply.hijack();
            return req.raw.socket;
          },
        }),
    );
  }
}
