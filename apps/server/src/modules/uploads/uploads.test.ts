import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthResponse, Booking, Upload } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { bearer, signInAdmin } from '../../../test/support/factories';
import { acceptOffer, book, newCustomer, onlineDriver } from '../../../test/support/fleet';
import { jpegWithGps, PNG } from '../../../test/support/images';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';

const JPEG_WITH_GPS = jpegWithGps();
/** A 1x1 lossless WebP. */
const WEBP = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

describe(`proof uploads (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let customer: AuthResponse;
  let driver: AuthResponse;
  let booking: Booking;

  const upload = (token: string, contentType: string, body: Buffer) =>
    app.http.inject({
      method: 'POST',
      url: '/v1/uploads',
      headers: { ...bearer(token), 'content-type': contentType },
      payload: body,
    });

  const uploadsOfDriver = async () =>
    (
      await app.platform.router
        .forId(driver.user.id)
        .db.selectFrom('uploads')
        .select('id')
        .where('owner_id', '=', driver.user.id)
        .execute()
    ).length;

  beforeAll(async () => {
    env = await TestEnvironment.create('uploads');
    app = await env.start();
    customer = await newCustomer(app);
    driver = await onlineDriver(app);
    booking = await book(app, customer.token);
    await acceptOffer(app, driver.token, booking.id);
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('stores a PNG sent as image/png byte for byte and serves it back as image/png', async () => {
    const response = await upload(driver.token, 'image/png', PNG);
    expect(response.statusCode).toBe(201);
    const stored = response.json<Upload>();
    expect(stored).toEqual({ id: stored.id, contentType: 'image/png', size: PNG.length });
    const read = await app.http.inject({
      method: 'GET',
      url: `/v1/uploads/${stored.id}`,
      headers: bearer(driver.token),
    });
    expect(read.statusCode).toBe(200);
    expect(read.headers['content-type']).toBe('image/png');
    expect(read.headers['x-content-type-options']).toBe('nosniff');
    expect(read.rawPayload.equals(PNG)).toBe(true);
  });

  it('stores each image type sent under its own Content-Type (201)', async () => {
    for (const [contentType, bytes] of [
      ['image/jpeg', JPEG_WITH_GPS],
      ['image/png', PNG],
      ['image/webp', WEBP],
    ] as const) {
      const response = await upload(driver.token, contentType, bytes);
      expect(response.statusCode, contentType).toBe(201);
      expect(response.json<Upload>().contentType).toBe(contentType);
    }
    // The media type counts; its case and any parameters do not.
    const withParameters = await upload(driver.token, 'Image/PNG; charset=binary', PNG);
    expect(withParameters.statusCode).toBe(201);
    expect(withParameters.json<Upload>().contentType).toBe('image/png');
  });

  it('refuses bytes of another image type than the Content-Type names (400 validation_failed) and stores nothing', async () => {
    const before = await uploadsOfDriver();
    for (const [contentType, bytes, message] of [
      ['image/jpeg', PNG, 'The file is a PNG image but was sent as image/jpeg.'],
      ['image/webp', JPEG_WITH_GPS, 'The file is a JPEG image but was sent as image/webp.'],
      ['image/png', WEBP, 'The file is a WebP image but was sent as image/png.'],
    ] as const) {
      const refused = await upload(driver.token, contentType, bytes);
      expect(refused.statusCode, contentType).toBe(400);
      expect(refused.json<{ error: { code: string; message: string } }>().error).toMatchObject({
        code: 'validation_failed',
        message,
      });
    }
    expect(await uploadsOfDriver()).toBe(before);
  });

  it("stores a photo without its EXIF GPS position, and shows it to the booking's customer and admins only", async () => {
    const response = await upload(driver.token, 'image/jpeg', JPEG_WITH_GPS);
    expect(response.statusCode).toBe(201);
    const { id, size } = response.json<Upload>();
    expect(size).toBeLessThan(JPEG_WITH_GPS.length);

    const asCustomer = await app.http.inject({
      method: 'GET',
      url: `/v1/uploads/${id}`,
      headers: bearer(customer.token),
    });
    expect(asCustomer.statusCode).toBe(200);
    expect(asCustomer.headers['content-type']).toBe('image/jpeg');
    expect(asCustomer.rawPayload.includes(Buffer.from('GPSLatitude'))).toBe(false);
    expect(asCustomer.rawPayload.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));

    const admin = await signInAdmin(app);
    expect(
      (await app.http.inject({ method: 'GET', url: `/v1/uploads/${id}`, headers: bearer(admin) })).statusCode,
    ).toBe(200);
    const stranger = await newCustomer(app);
    const asStranger = await app.http.inject({
      method: 'GET',
      url: `/v1/uploads/${id}`,
      headers: bearer(stranger.token),
    });
    expect(asStranger.statusCode).toBe(404);
    expect(asStranger.json<{ error: { code: string } }>().error.code).toBe('not_found');
    const otherDriver = await onlineDriver(app);
    expect(
      (await app.http.inject({ method: 'GET', url: `/v1/uploads/${id}`, headers: bearer(otherDriver.token) }))
        .statusCode,
    ).toBe(404);
  });

  it('refuses text sent as an image (400), a body over 5 MB (413) and a body that is not an image type (415)', async () => {
    const text = await upload(driver.token, 'image/png', Buffer.from('this is not a picture at all'));
    expect(text.statusCode).toBe(400);
    expect(text.json<{ error: { code: string } }>().error.code).toBe('validation_failed');

    const big = await upload(driver.token, 'image/png', Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]));
    expect(big.statusCode).toBe(413);
    expect(big.json<{ error: { code: string; message: string } }>().error).toEqual({
      code: 'payload_too_large',
      message: `Request body is larger than ${5 * 1024 * 1024} bytes.`,
    });

    for (const contentType of ['text/plain', 'application/json', 'application/pdf']) {
      const refused = await upload(driver.token, contentType, Buffer.from('{"hello":1}'));
      expect(refused.statusCode, contentType).toBe(415);
      expect(refused.json<{ error: { code: string; message: string } }>().error).toEqual({
        code: 'unsupported_media_type',
        message: 'Send the body as image/jpeg or image/png or image/webp.',
      });
    }
  });

  it('refuses a damaged image (400) and stores nothing', async () => {
    const before = await uploadsOfDriver();
    const cut = await upload(driver.token, 'image/jpeg', JPEG_WITH_GPS.subarray(0, 40));
    expect(cut.statusCode).toBe(400);
    expect(cut.json()).toMatchObject({
      error: { code: 'validation_failed', message: 'The image is damaged or cut short.' },
    });
    expect(await uploadsOfDriver()).toBe(before);
  });

  it('takes uploads only from a driver on an active trip', async () => {
    const idle = await onlineDriver(app);
    const refused = await upload(idle.token, 'image/png', PNG);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      error: { code: 'forbidden', message: 'Only a driver on an active trip uploads proof of delivery.' },
    });
    expect((await upload(customer.token, 'image/png', PNG)).statusCode).toBe(403);
  });

  it('answers 404 for an upload that does not exist', async () => {
    const response = await app.http.inject({
      method: 'GET',
      url: `/v1/uploads/${booking.id}`,
      headers: bearer(customer.token),
    });
    expect(response.statusCode).toBe(404);
  });
});
