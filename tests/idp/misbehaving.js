// An OpenID provider that misbehaves on purpose, for gitdash's relying-party tests: it signs
// with real keys of its own, but what it signs (and how) is set by the test through
// `POST /control`. It approves every authorization request at once (no login form).
//
// Control settings (all optional; each POST replaces the previous ones):
//   claims          object merged into the ID token's claims; a null value removes a claim
//   header          object merged into the ID token's header; {"kid": null} removes the kid
//   signWith        "a" (default), "b", "c" or "unpublished": which private key signs
//   unsigned        true: an `alg: none` token with no signature
//   tamper          true: the payload is changed after signing
//   published       list of key ids the JWKS holds (default ["a"])
//   userinfoSub     the `sub` UserInfo answers with (default: the ID token's)
//   discoveryIssuer the `issuer` the discovery document states (default: the real one)
//   tokenDelayMs    how long the token endpoint takes to answer (default 0)
// `GET /stats` tells how often the JWKS was fetched; `POST /mint` signs any token.
import http from 'node:http';
import { randomBytes, createHash } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, base64url } from 'jose';

const port = Number(process.env.IDP_PORT || 9091);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.IDP_CLIENT_ID || 'gitdash';
const clientSecret = process.env.IDP_CLIENT_SECRET || 'gitdash-local-secret';
const SUBJECT = 'misbehaving-user';

const keys = {};
for (const kid of ['a', 'b', 'c', 'unpublished']) {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  keys[kid] = { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

let settings = {};
const codes = new Map();
const accessTokens = new Map();
const stats = { jwksFetches: 0 };

async function sign(header, claims, options = {}) {
  if (options.unsigned) {
    const encode = (value) => base64url.encode(JSON.stringify(value));
    return `${encode({ ...header, alg: 'none' })}.${encode(claims)}.`;
  }
  const kid = options.signWith || 'a';
  let token = await new SignJWT(claims).setProtectedHeader(header).sign(keys[kid].privateKey);
  if (options.tamper) {
    const [h, , s] = token.split('.');
    token = `${h}.${base64url.encode(JSON.stringify({ ...claims, sub: 'someone-else' }))}.${s}`;
  }
  return token;
}

function merge(base, overrides = {}) {
  const out = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) delete out[name];
    else out[name] = value;
  }
  return out;
}

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
  res.end(text);
}

async function readBody(req) {
  let data = '';
  for await (const chunk of req) data += chunk;
  return data;
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (url.pathname === '/.well-known/openid-configuration') {
      return send(res, 200, {
        issuer: settings.discoveryIssuer || issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        jwks_uri: `${issuer}/jwks`,
        end_session_endpoint: `${issuer}/logout`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (url.pathname === '/jwks') {
      stats.jwksFetches += 1;
      const published = settings.published || ['a'];
      return send(res, 200, { keys: published.map((kid) => keys[kid].jwk) });
    }
    if (url.pathname === '/auth') {
      const code = randomBytes(16).toString('hex');
      codes.set(code, {
        nonce: url.searchParams.get('nonce'),
        challenge: url.searchParams.get('code_challenge'),
        clientId: url.searchParams.get('client_id'),
      });
      const back = new URL(url.searchParams.get('redirect_uri'));
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') || '');
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      if (settings.tokenDelayMs) await new Promise((resolve) => setTimeout(resolve, settings.tokenDelayMs));
      const form = new URLSearchParams(await readBody(req));
      const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return send(res, 401, { error: 'invalid_client' });
      const grant = codes.get(form.get('code'));
      codes.delete(form.get('code'));
      if (!grant) return send(res, 400, { error: 'invalid_grant' });
      const challenge = createHash('sha256').update(form.get('code_verifier') || '').digest('base64url');
      if (challenge !== grant.challenge) return send(res, 400, { error: 'invalid_grant', error_description: 'PKCE' });
      const now = Math.floor(Date.now() / 1000);
      const claims = merge(
        {
          iss: issuer, sub: SUBJECT, aud: grant.clientId, exp: now + 300, iat: now, nonce: grant.nonce,
          email: 'mallory@example.com', email_verified: true, name: 'Mallory',
        },
        settings.claims,
      );
      const header = merge({ alg: 'RS256', kid: settings.signWith || 'a', typ: 'JWT' }, settings.header);
      const idToken = await sign(header, claims, settings);
      const accessToken = randomBytes(16).toString('hex');
      accessTokens.set(accessToken, claims.sub);
      return send(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    if (url.pathname === '/userinfo') {
      const token = (req.headers.authorization || '').replace(/^Bearer /, '');
      if (!accessTokens.has(token)) return send(res, 401, { error: 'invalid_token' });
      return send(res, 200, { sub: settings.userinfoSub || accessTokens.get(token), email: 'mallory@example.com' });
    }
    if (url.pathname === '/control' && req.method === 'POST') {
      settings = JSON.parse((await readBody(req)) || '{}');
      return send(res, 200, { ok: true });
    }
    if (url.pathname === '/stats') return send(res, 200, stats);
    if (url.pathname === '/mint' && req.method === 'POST') {
      const { header = {}, claims = {}, signWith, unsigned } = JSON.parse(await readBody(req));
      const now = Math.floor(Date.now() / 1000);
      const fullClaims = merge({ iss: issuer, sub: 'api-user', aud: 'api://default', exp: now + 300, iat: now }, claims);
      const fullHeader = merge({ alg: 'RS256', kid: signWith || 'a', typ: 'JWT' }, header);
      return send(res, 200, await sign(fullHeader, fullClaims, { signWith, unsigned }));
    }
    if (url.pathname === '/logout') return send(res, 200, 'signed out');
    return send(res, 404, { error: 'not_found' });
  } catch (err) {
    return send(res, 500, { error: String(err) });
  }
});

server.listen(port, '127.0.0.1', () => console.log(`misbehaving provider on ${issuer}`));
if (process.env.IDP_EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
