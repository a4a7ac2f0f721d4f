import Router from '@koa/router';
import type { AppDeps } from '../deps.js';
import { requireUser } from '../../http/auth.js';
import { requestBody } from '../../http/body.js';
import { parseInput } from '../../http/validation.js';
import { LoginRequest, RegisterRequest, UpdateUserRequest } from './user-schemas.js';
import { currentUser, login, register, updateCurrentUser } from './user-service.js';

export function userRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.post('/users', async (ctx) => {
    const { user } = parseInput(RegisterRequest, requestBody(ctx));
    ctx.status = 201;
    ctx.body = { user: await register(deps, user) };
  });

  router.post('/users/login', async (ctx) => {
    const { user } = parseInput(LoginRequest, requestBody(ctx));
    ctx.body = { user: await login(deps, user) };
  });

  router.get('/user', async (ctx) => {
    const auth = requireUser(ctx);
    ctx.body = { user: await currentUser(deps, auth.id, auth.token) };
  });

  router.put('/user', async (ctx) => {
    const auth = requireUser(ctx);
    const { user } = parseInput(UpdateUserRequest, requestBody(ctx));
    ctx.body = { user: await updateCurrentUser(deps, auth.id, auth.token, user) };
  });

  return router;
}
