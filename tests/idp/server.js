// A real OpenID Connect provider (panva's oidc-provider) for running gitdash locally and for
// its tests. Any user name signs in with any password through the provider's own login and
// consent forms; a few names carry groups so that group rules can be tried.
//
// Settings, all optional, from the environment:
//   IDP_PORT           port to listen on                        (9090)
//   IDP_LISTEN_HOST    address to listen on                     (127.0.0.1; 0.0.0.0 in a container)
//   IDP_ISSUER         issuer URL                               (http://127.0.0.1:$IDP_PORT)
//   IDP_CLIENT_ID      gitdash's client id                      (gitdash)
//   IDP_CLIENT_SECRET  gitdash's client secret                  (gitdash-local-secret)
//   IDP_REDIRECT_URIS  gitdash's public URLs, comma separated   (http://127.0.0.1:5000)
//   IDP_API_AUDIENCE   audience of JWT access tokens            (api://default)
//
// Besides gitdash's client it registers `gitdash-cli`, a client that command-line tools and
// the tests use to obtain JWT access tokens for the API, and `gitdash-cli-short`, the same
// with access tokens that live two seconds.
import Provider from 'oidc-provider';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';

const port = Number(process.env.IDP_PORT || 9090);
const issuer = process.env.IDP_ISSUER || `http://127.0.0.1:${port}`;
const clientId = process.env.IDP_CLIENT_ID || 'gitdash';
const clientSecret = process.env.IDP_CLIENT_SECRET || 'gitdash-local-secret';
const publicUrls = (process.env.IDP_REDIRECT_URIS || 'http://127.0.0.1:5000')
  .split(',')
  .map((url) => url.trim().replace(/\/+$/, ''))
  .filter(Boolean);
const apiAudience = process.env.IDP_API_AUDIENCE || 'api://default';
const CLI_REDIRECT = 'http://127.0.0.1/cli-callback';

// Demo directory: groups for a few names, none for anybody else.
const GROUPS = {
  alice: ['gitdash-admins', 'engineering'],
  bob: ['engineering'],
  carol: ['contractors'],
};

function account(id) {
  const login = id.includes('@') ? id.split('@')[0] : id;
  const email = id.includes('@') ? id : `${id}@example.com`;
  return {
    accountId: id,
    async claims() {
      return {
        sub: id,
        email,
        email_verified: true,
        name: login.charAt(0).toUpperCase() + login.slice(1),
        preferred_username: login,
        groups: GROUPS[login] || [],
      };
    },
  };
}

const cliClient = (id) => ({
  client_id: id,
  client_secret: `${id}-secret`,
  redirect_uris: [CLI_REDIRECT],
  grant_types: ['authorization_code', 'client_credentials'],
  response_types: ['code'],
});

// Fresh signing keys on every start: no two providers ever trust each other's tokens.
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };

const configuration = {
  jwks: { keys: [signingKey] },
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: publicUrls.map((url) => `${url}/oidc/callback`),
      post_logout_redirect_uris: publicUrls.flatMap((url) => [url, `${url}/`]),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    cliClient('gitdash-cli'),
    cliClient('gitdash-cli-short'),
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username', 'groups'],
  },
  async findAccount(_ctx, id) {
    return account(id);
  },
  // Access tokens carry the person's email and groups, as Okta's can be configured to.
  async extraTokenClaims(_ctx, token) {
    if (!token.accountId) return undefined;
    const claims = await account(token.accountId).claims();
    return { email: claims.email, groups: claims.groups };
  },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // A token for the API only when asked for one with `resource`; gitdash's own sign-in
      // gets an opaque token that the UserInfo endpoint accepts.
      defaultResource: (_ctx, _client, oneOf) => oneOf,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => ({
        // Any `api://` audience is served, so tests can obtain tokens for the wrong one.
        audience: resource.startsWith('api://') ? resource : apiAudience,
        scope: 'openid email profile',
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  ttl: {
    AccessToken: (_ctx, _token, client) => (client && client.clientId === 'gitdash-cli-short' ? 2 : 3600),
    ClientCredentials: (_ctx, _token, client) => (client && client.clientId === 'gitdash-cli-short' ? 2 : 3600),
  },
};

const provider = new Provider(issuer, configuration);
provider.proxy = true;
const server = provider.listen(port, process.env.IDP_LISTEN_HOST || '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer} (client ${clientId}, redirect ${publicUrls.join(', ')})`);
});

// Started by a test or a script: end with the parent (its stdin closes) or on a signal.
if (process.env.IDP_EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
