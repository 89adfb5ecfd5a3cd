import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../app';
import { ConfigError, loadConfig } from '../config/config';
import { TestEnvironment } from '../../test/support/test-env';
import { tier } from '../../test/support/tier';
import { clientConfigOf } from './client-config.routes';

describe('map tile settings', () => {
  it("default to OpenStreetMap's standard tiles with its attribution", () => {
    expect(clientConfigOf(loadConfig({}))).toEqual({
      map: {
        tileUrl: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
        attribution:
          '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
        maxZoom: 19,
      },
      routing: false,
    });
  });

  it('take another tile server, its attribution and zoom, or off', () => {
    const custom = loadConfig({
      MAP_TILE_URL: 'http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png',
      MAP_TILE_ATTRIBUTION: 'Tiles: our own',
      MAP_TILE_MAX_ZOOM: '17',
    });
    expect(clientConfigOf(custom).map).toEqual({
      tileUrl: 'http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png',
      attribution: 'Tiles: our own',
      maxZoom: 17,
    });
    expect(clientConfigOf(loadConfig({ MAP_TILE_URL: 'off' })).map.tileUrl).toBeNull();
  });

  it('refuse a tile URL without {z}, {x} and {y} or with another scheme, naming the variable', () => {
    expect(() => loadConfig({ MAP_TILE_URL: 'https://tiles.example.com/tile.png' })).toThrow(ConfigError);
    expect(() => loadConfig({ MAP_TILE_URL: 'https://tiles.example.com/tile.png' })).toThrow(/MAP_TILE_URL/);
    expect(() => loadConfig({ MAP_TILE_URL: 'ftp://tiles.example.com/{z}/{x}/{y}.png' })).toThrow(
      /MAP_TILE_URL/,
    );
    expect(() => loadConfig({ MAP_TILE_MAX_ZOOM: '30' })).toThrow(/MAP_TILE_MAX_ZOOM/);
  });
});

describe(`GET /v1/config/client (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('client-config', {
      env: { MAP_TILE_URL: 'http://127.0.0.1:9/{z}/{x}/{y}.png', MAP_TILE_ATTRIBUTION: 'Test tiles' },
    });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('answers the configured tiles without a session, cacheable', async () => {
    const response = await app.http.inject({ url: '/v1/config/client' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      map: { tileUrl: 'http://127.0.0.1:9/{z}/{x}/{y}.png', attribution: 'Test tiles', maxZoom: 19 },
      routing: false,
    });
    expect(response.headers['cache-control']).toBe('public, max-age=300');
  });
});
