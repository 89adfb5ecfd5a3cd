import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AuthResponse, Booking, BookingPins } from '@loadline/contracts';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  apiGet,
  artifactsDir,
  CONTEXT_SIZES,
  PASSWORD,
  shootAndScan,
  signIn,
  signUp,
  solidPng,
  startServer,
  startTileStub,
  launchBrowser,
  type RunningServer,
  type TileStub,
} from './support';

const ADMIN = { email: 'ops-deliveries@example.com', password: `admin-${randomUUID()}` };
/** The built-in places list's MG Road, Ulsoor Lake and Indiranagar: the pickup and the two drop-offs. */
const PICKUP = { lat: 12.9756, lng: 77.6066 };
const STOP_1 = { lat: 12.983, lng: 77.62 };
const STOP_2 = { lat: 12.9719, lng: 77.6412 };
/** Where the second booking goes from and to. */
const SECOND_PICKUP = { lat: 12.9763, lng: 77.5929, address: 'Cubbon Park' };
const SECOND_DROP = { lat: 12.9352, lng: 77.6245, address: 'Koramangala 5th Block' };

/** The handover photo the driver takes: a small real PNG. */
const PHOTO = { name: 'doorstep.png', mimeType: 'image/png', buffer: solidPng([196, 142, 84]) };

/** A different 4-digit PIN from `pin`. */
function wrongPin(pin: string): string {
  return String((Number(pin) + 1) % 10_000).padStart(4, '0');
}

/** The HTTP status of an API call that is meant to be refused. */
async function refusal(baseUrl: string, url: string, body: unknown, token: string): Promise<number> {
  const response = await fetch(`${baseUrl}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  await response.body?.cancel();
  return response.status;
}

/** The width an `<img>` has decoded to (0 while it loads or when it is broken). */
function decodedWidth(image: Locator): Promise<number> {
  return image.evaluate((element) => {
    const img = element as unknown as { complete: boolean; naturalWidth: number };
    return img.complete ? img.naturalWidth : 0;
  });
}

/**
 * Waits until the proof figure `testId` inside `scope` shows its image, and returns the width the
 * image decoded to: a proof that is only "visible" could still be a broken image.
 */
async function proofImageWidth(scope: Locator, testId: string): Promise<number> {
  const image = scope.locator(`[data-testid=${testId}][data-state=ready] img`);
  await image.waitFor({ timeout: 15_000 });
  await expect.poll(() => decodedWidth(image), { timeout: 10_000 }).toBeGreaterThan(0);
  return decodedWidth(image);
}

/** Draws a signature with a finger: real touch events through the DevTools protocol. */
async function signWithFinger(page: Page, pad: Locator): Promise<void> {
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  if (box === null) {
    throw new Error('the signature pad is not on screen');
  }
  const cdp = await page.context().newCDPSession(page);
  const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', x = 0, y = 0) =>
    cdp.send('Input.dispatchTouchEvent', {
      type,
      touchPoints: type === 'touchEnd' ? [] : [{ x: box.x + x, y: box.y + y }],
    });
  await touch('touchStart', box.width * 0.1, box.height * 0.55);
  for (let step = 1; step <= 24; step += 1) {
    await touch(
      'touchMove',
      box.width * (0.1 + step * 0.032),
      box.height * (0.55 - 0.3 * Math.sin(step / 3.2)),
    );
  }
  await touch('touchEnd');
  await cdp.detach();
}

/** The page's whole-page picture when a test fails, to see where it stood. */
async function onFailureScreenshots(pages: Record<string, Page | undefined>, error: unknown): Promise<never> {
  for (const [name, page] of Object.entries(pages)) {
    await page
      ?.screenshot({ path: path.join(artifactsDir, `failure-deliveries-${name}.png`), fullPage: true })
      .catch(() => undefined);
  }
  throw error;
}

describe('multi-stop deliveries with handover PINs and proof, in three browsers', () => {
  let server: RunningServer;
  let browser: Browser;
  let tiles: TileStub;
  const contexts: BrowserContext[] = [];
  const tag = randomUUID().slice(0, 4).toUpperCase();
  let customer: AuthResponse;
  let driver: AuthResponse;
  let customerPage: Page | undefined;
  let driverPage: Page | undefined;
  let adminPage: Page | undefined;
  let booking: Booking;

  const post = <T>(url: string, body: unknown, token: string) =>
    apiCall<T>(server.baseUrl, 'POST', url, body, token);
  /** Where the driver is now, as their phone would report it. */
  const driveTo = (at: { lat: number; lng: number }) =>
    post('/v1/driver/location', { lat: at.lat, lng: at.lng }, driver.token);

  beforeAll(async () => {
    fs.mkdirSync(artifactsDir, { recursive: true });
    tiles = await startTileStub();
    [server, browser] = await Promise.all([
      startServer({
        env: {
          RATE_LIMITS: 'off',
          MAP_TILE_URL: tiles.template,
          MAP_TILE_ATTRIBUTION: 'Test tiles',
          ROUTING_URL: tiles.baseUrl,
        },
        admins: [ADMIN],
      }),
      launchBrowser(),
    ]);
    customer = await signUp(server.baseUrl, {
      role: 'customer',
      name: 'Meera Rao',
      phone: '+919845012345',
    });
    driver = await signUp(server.baseUrl, {
      role: 'driver',
      name: 'Kiran Naik',
      phone: '+919800000021',
      vehicle: { type: 'van', plate: `KA05PD${tag}` },
    });
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser.close();
    await server.stop();
    await tiles.stop();
  });

  async function open(size: 'desktop' | 'phone', account: { email: string; password: string }, at: string) {
    const context = await browser.newContext(CONTEXT_SIZES[size]);
    contexts.push(context);
    return signIn(context, server.baseUrl, account, at);
  }

  it('a customer books two drop-offs with a recipient each and handover PINs; a driver on a phone takes it', async () => {
    try {
      // The driver's phone shares no location: the test says where the van is through the API.
      driverPage = await open('phone', { email: driver.user.email, password: PASSWORD }, '/driver');
      await driverPage.getByTestId('online-toggle').click();
      await driverPage.getByTestId('online-state').filter({ hasText: 'Online' }).waitFor();
      await driveTo({ lat: PICKUP.lat - 0.004, lng: PICKUP.lng });

      customerPage = await open('desktop', { email: customer.user.email, password: PASSWORD }, '/customer');
      const page = customerPage;
      await page.getByTestId('pickup-input').fill('MG Road');
      await page.getByTestId('place-suggestion').filter({ hasText: 'MG Road' }).first().click();
      await page.getByTestId('pickup-input-coordinates').filter({ hasText: '12.97560, 77.60660' }).waitFor();
      await page.getByTestId('add-stop').click();
      await expect.poll(() => page.getByTestId('stop-draft').count()).toBe(2);

      await page.getByTestId('dropoff-input').fill('Ulsoor');
      await page.getByTestId('place-suggestion').filter({ hasText: 'Ulsoor Lake' }).first().click();
      await page.getByTestId('dropoff-input-coordinates').filter({ hasText: '12.98300, 77.62000' }).waitFor();
      await page.getByTestId('recipient-name-1').fill('Asha Kulkarni');
      await page.getByTestId('recipient-phone-1').fill('+919812345678');
      await page.getByTestId('goods-1-description').fill('Bookshelf');
      await page.getByTestId('goods-1-weight').fill('30');

      await page.getByTestId('dropoff-input-2').fill('Indiranagar');
      await page.getByTestId('place-suggestion').filter({ hasText: 'Indiranagar' }).first().click();
      await page
        .getByTestId('dropoff-input-2-coordinates')
        .filter({ hasText: '12.97190, 77.64120' })
        .waitFor();
      await page.getByTestId('recipient-name-2').fill('Ravi Menon');
      await page.getByTestId('goods-2-description').fill('Two boxes of crockery');
      await page.getByTestId('goods-2-weight').fill('12');

      await page.getByTestId('vehicle-van').click();
      await page.getByTestId('handover-pins').check();
      expect(await page.getByTestId('handover-pins').isChecked()).toBe(true);
      await page.getByTestId('get-quote').click();
      await page.getByTestId('quote-price').waitFor();
      expect(await page.getByTestId('quote-price').textContent()).toMatch(/\d/);
      await shootAndScan(page, 'deliveries-booking-form');
      await page.getByTestId('book').click();
      await page.waitForURL('**/customer/bookings/*');

      // Searching: both stops listed, in order, for their recipients, none started; no PINs before a driver.
      await page.locator('[data-testid=booking-status][data-status=searching]').waitFor();
      const bookingId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
      booking = await apiGet<Booking>(server.baseUrl, `/v1/bookings/${bookingId}`, customer.token);
      expect(booking.handoverPins).toBe(true);
      expect(booking.stops?.map((stop) => [stop.seq, stop.recipient?.name, stop.status])).toEqual([
        [1, 'Asha Kulkarni', 'pending'],
        [2, 'Ravi Menon', 'pending'],
      ]);
      const stops = page.getByTestId('trip-stops').getByTestId('trip-stop');
      expect(await stops.count()).toBe(2);
      expect(await stops.nth(0).textContent()).toContain('For Asha Kulkarni · +919812345678');
      expect(await stops.nth(1).textContent()).toContain('For Ravi Menon');
      expect(await page.getByTestId('pins-waiting').textContent()).toBe(
        'The PINs appear here once a driver takes the booking.',
      );

      // The driver's phone is offered the trip live and takes it.
      const offer = driverPage.getByTestId('offer');
      await offer.waitFor({ timeout: 30_000 });
      await offer.getByTestId('accept-offer').click();
      await driverPage.locator('[data-testid=trip-status][data-status=driver_assigned]').waitFor();
      await page
        .locator('[data-testid=booking-status][data-status=driver_assigned]')
        .waitFor({ timeout: 15_000 });
      // Assigned: three PINs, the pickup's next.
      const pins = page.locator('[data-testid=handover-pins] [data-testid=handover-pin]');
      await expect.poll(() => pins.count(), { timeout: 10_000 }).toBe(3);
      expect(
        await pins.evaluateAll((rows) =>
          rows.map((row) => {
            const el = row as unknown as { dataset: Record<string, string> };
            return [el.dataset.handover, el.dataset.state];
          }),
        ),
      ).toEqual([
        ['0', 'next'],
        ['1', 'waiting'],
        ['2', 'waiting'],
      ]);
    } catch (error) {
      await onFailureScreenshots({ customer: customerPage, driver: driverPage }, error);
    }
  });

  it('the driver works the pickup and both stops with PINs and proof; the customer sees each stop move', async () => {
    const page = driverPage;
    const tracking = customerPage;
    if (page === undefined || tracking === undefined) {
      throw new Error('the booking test did not open the pages');
    }
    /** A PIN as the customer's tracking page shows it. */
    const shownPin = async (handover: number): Promise<string> => {
      const value = tracking.locator(
        `[data-testid=handover-pin][data-handover="${handover}"][data-state=next] dd`,
      );
      await value.waitFor({ timeout: 10_000 });
      const pin = (await value.textContent()) ?? '';
      expect(pin).toMatch(/^\d{4}$/);
      return pin;
    };
    const customerStop = (seq: number) =>
      tracking.locator(`[data-testid=trip-stops] [data-testid=trip-stop][data-seq="${seq}"]`);
    const driverStop = (seq: number) => page.locator(`[data-testid=trip-stop][data-seq="${seq}"]`);
    try {
      // The stop list before the pickup: both drop-offs, for whom and what, none to act on yet.
      await driverStop(1).getByTestId('trip-stop-status').filter({ hasText: 'To do' }).waitFor();
      expect(await driverStop(1).textContent()).toContain('Asha Kulkarni');
      expect(await driverStop(1).textContent()).toContain('Bookshelf · 30 kg');
      expect(await driverStop(2).textContent()).toContain('Ravi Menon');
      expect(await page.getByTestId('stop-arrive').count()).toBe(0);
      // The customer's card arrives after the trip: shot once it has, not while it says Loading.
      await page.getByTestId('trip-customer').locator('.muted').waitFor({ state: 'detached' });
      await shootAndScan(page, 'deliveries-driver-stops');

      await driveTo(PICKUP);
      for (const step of ['en_route_to_pickup', 'arrived_at_pickup'] as const) {
        await page.locator(`[data-testid=next-status][data-next=${step}]`).click();
        await page.locator(`[data-testid=trip-status][data-status=${step}]`).waitFor();
      }
      // The pickup's PIN, read off the customer's page and typed on the phone.
      await page.getByTestId('pin-input').fill(await shownPin(0));
      await page.locator('[data-testid=next-status][data-next=goods_collected]').click();
      await page.locator('[data-testid=trip-status][data-status=goods_collected]').waitFor();
      await tracking.locator('[data-testid=handover-pin][data-handover="0"][data-state=done]').waitFor();
      await page.locator('[data-testid=next-status][data-next=in_transit]').click();
      await page.locator('[data-testid=trip-status][data-status=in_transit]').waitFor();
      // Past the pickup the stops carry the buttons: the trip has no "Mark delivered".
      expect(await page.getByTestId('next-status').count()).toBe(0);
      await tracking.locator('[data-testid=booking-status][data-status=in_transit]').waitFor();
      expect(await customerStop(1).locator('.stop-status').textContent()).toBe('Next');

      // Stop 1: arrive; the customer sees the driver there.
      await driveTo(STOP_1);
      await driverStop(1).getByTestId('stop-arrive').click();
      await driverStop(1).and(page.locator('[data-status=arrived]')).waitFor();
      expect(await driverStop(1).getByTestId('trip-stop-status').textContent()).toBe('Arrived');
      await customerStop(1).and(tracking.locator('[data-status=arrived]')).waitFor({ timeout: 10_000 });
      expect(await customerStop(1).locator('.stop-status').textContent()).toBe('Driver there');
      expect(await customerStop(1).textContent()).toMatch(/Driver there since /);

      // Hand over with a name, a photo, a signature drawn with a finger and the stop's PIN.
      await driverStop(1).getByTestId('stop-complete').click();
      const dialog = page.getByTestId('complete-stop-dialog');
      await dialog.getByTestId('recipient-name').waitFor();
      expect(await dialog.getByTestId('recipient-name').inputValue()).toBe('Asha Kulkarni');
      await dialog.getByTestId('recipient-name').fill('Asha K.');
      await dialog.getByTestId('proof-photo').setInputFiles(PHOTO);
      const preview = dialog.getByTestId('proof-photo-preview');
      await preview.waitFor();
      await expect.poll(() => decodedWidth(preview)).toBe(256);
      await signWithFinger(page, dialog.getByTestId('signature-pad'));
      await dialog.getByTestId('pin-input').fill(await shownPin(1));
      await dialog.getByTestId('signature-pad').scrollIntoViewIfNeeded();
      await shootAndScan(page, 'deliveries-driver-proof-dialog', { fullPage: false });
      await dialog.getByTestId('confirm-complete').click();
      await driverStop(1).and(page.locator('[data-status=delivered]')).waitFor({ timeout: 15_000 });
      await dialog.waitFor({ state: 'detached' });

      // The customer: stop 1 delivered with its proof, stop 2 next, its PIN next.
      await customerStop(1).and(tracking.locator('[data-status=delivered]')).waitFor({ timeout: 10_000 });
      expect(await customerStop(1).locator('.stop-status').textContent()).toBe('Delivered');
      const firstProof = customerStop(1).getByTestId('stop-proof');
      expect(await firstProof.textContent()).toMatch(/^Received by Asha K\. · .+ · at 12\.98\d+, 77\.62\d+/);
      expect(await proofImageWidth(firstProof, 'proof-photo')).toBe(256);
      expect(await proofImageWidth(firstProof, 'proof-signature')).toBeGreaterThan(0);
      expect(await customerStop(2).locator('.stop-status').textContent()).toBe('Next');
      await tracking.locator('[data-testid=handover-pin][data-handover="1"][data-state=done]').waitFor();
      await tracking.locator('[data-testid=handover-pin][data-handover="2"][data-state=next]').waitFor();
      await customerStop(1).scrollIntoViewIfNeeded();
      await shootAndScan(tracking, 'deliveries-customer-progress');

      // Stop 2: a wrong PIN first, said at the field with the tries left; then the right one.
      await driveTo(STOP_2);
      await driverStop(2).getByTestId('stop-arrive').click();
      await driverStop(2).and(page.locator('[data-status=arrived]')).waitFor();
      await customerStop(2).and(tracking.locator('[data-status=arrived]')).waitFor({ timeout: 10_000 });
      await driverStop(2).getByTestId('stop-complete').click();
      await dialog.getByTestId('recipient-name').waitFor();
      const rightPin = await shownPin(2);
      await signWithFinger(page, dialog.getByTestId('signature-pad'));
      await dialog.getByTestId('pin-input').fill(wrongPin(rightPin));
      await dialog.getByTestId('confirm-complete').click();
      const pinError = dialog.getByTestId('pin-error');
      await pinError.waitFor({ timeout: 15_000 });
      expect(await pinError.textContent()).toBe('Wrong PIN, 4 tries left');
      expect(await dialog.getByTestId('pin-input').inputValue()).toBe('');
      expect(await dialog.getByTestId('pin-input').getAttribute('aria-invalid')).toBe('true');
      expect(await driverStop(2).getAttribute('data-status')).toBe('arrived');
      await dialog.getByTestId('pin-input').scrollIntoViewIfNeeded();
      await shootAndScan(page, 'deliveries-driver-wrong-pin', { fullPage: false });
      await dialog.getByTestId('pin-input').fill(rightPin);
      await pinError.waitFor({ state: 'detached' });
      await dialog.getByTestId('confirm-complete').click();
      await page.getByTestId('driver-notice').filter({ hasText: 'Delivered' }).waitFor({ timeout: 15_000 });

      // The customer: the booking delivered, both stops with their proof.
      await tracking
        .locator('[data-testid=booking-status][data-status=delivered]')
        .waitFor({ timeout: 10_000 });
      await customerStop(2).and(tracking.locator('[data-status=delivered]')).waitFor();
      const secondProof = customerStop(2).getByTestId('stop-proof');
      expect(await secondProof.textContent()).toMatch(/^Received by Ravi Menon · /);
      expect(await secondProof.getByTestId('proof-photo').count()).toBe(0);
      expect(await proofImageWidth(secondProof, 'proof-signature')).toBeGreaterThan(0);
      const done = await apiGet<Booking>(server.baseUrl, `/v1/bookings/${booking.id}`, customer.token);
      expect(done.status).toBe('delivered');
      expect(done.stops?.map((stop) => [stop.status, stop.proof?.recipientName])).toEqual([
        ['delivered', 'Asha K.'],
        ['delivered', 'Ravi Menon'],
      ]);
      expect(done.stops?.[0]?.proof?.photoUrl).not.toBeNull();
      expect(done.stops?.[1]?.proof?.photoUrl).toBeNull();
    } catch (error) {
      await onFailureScreenshots({ customer: tracking, driver: page }, error);
    }
  });

  it("the customer's stops show each proof, and the receipt prints them", async () => {
    const page = customerPage;
    if (page === undefined) {
      throw new Error('the booking test did not open the customer page');
    }
    try {
      await page.getByTestId('trip-stops').scrollIntoViewIfNeeded();
      await shootAndScan(page, 'deliveries-customer-stops');

      await page.getByTestId('receipt-link').click();
      await page.waitForURL(`**/customer/bookings/${booking.id}/receipt`);
      const receipt = page.getByTestId('receipt');
      await receipt.waitFor();
      expect(await page.getByTestId('receipt-ref').textContent()).toBe(booking.ref);
      expect(await page.getByTestId('receipt-driver').textContent()).toBe(`Kiran Naik · KA05PD${tag}`);
      const stops = receipt.locator('[data-testid=receipt-stops] [data-testid=trip-stop]');
      expect(
        await stops.evaluateAll((rows) =>
          rows.map((row) => (row as unknown as { dataset: Record<string, string> }).dataset.status),
        ),
      ).toEqual(['delivered', 'delivered']);
      expect(await stops.nth(0).getByTestId('stop-proof').textContent()).toMatch(/^Received by Asha K\. · /);
      expect(await proofImageWidth(stops.nth(0), 'proof-photo')).toBe(256);
      expect(await proofImageWidth(stops.nth(0), 'proof-signature')).toBeGreaterThan(0);
      expect(await proofImageWidth(stops.nth(1), 'proof-signature')).toBeGreaterThan(0);
      await shootAndScan(page, 'deliveries-receipt');

      // Printed: the app's frame and the buttons stay off the paper; the proofs stay on.
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.topbar').isVisible()).toBe(false);
      expect(await receipt.locator('.receipt__actions').isVisible()).toBe(false);
      expect(await stops.nth(0).getByTestId('proof-photo').isVisible()).toBe(true);
      await page.screenshot({
        path: path.join(artifactsDir, 'deliveries-receipt-print.png'),
        fullPage: true,
      });
      await page.emulateMedia({ media: 'screen' });
    } catch (error) {
      await onFailureScreenshots({ customer: page }, error);
    }
  });

  it('an admin sees the stops with proof, and unlocks a locked handover the driver then completes', async () => {
    const phone = driverPage;
    if (phone === undefined) {
      throw new Error('the booking test did not open the driver page');
    }
    try {
      adminPage = await open('desktop', ADMIN, '/admin');
      const admin = adminPage;
      await admin.goto(`${server.baseUrl}/admin/bookings/${booking.id}`);
      const detail = admin.locator(`[data-testid=booking-detail][data-booking-id="${booking.id}"]`);
      await detail.waitFor();
      expect(await admin.getByTestId('detail-ref').textContent()).toBe(booking.ref);
      await admin.locator('[data-testid=detail-status][data-status=delivered]').waitFor();
      const stops = admin.locator('[data-testid=detail-stops] [data-testid=trip-stop]');
      expect(await stops.count()).toBe(2);
      expect(await proofImageWidth(stops.nth(0), 'proof-photo')).toBe(256);
      expect(await proofImageWidth(stops.nth(0), 'proof-signature')).toBeGreaterThan(0);
      expect(await proofImageWidth(stops.nth(1), 'proof-signature')).toBeGreaterThan(0);
      // The audit names the wrong PIN at stop 2 among the handovers.
      const audit = admin.getByTestId('handover-audit');
      expect(await audit.locator('li[data-type=pin_rejected]').count()).toBe(1);
      expect(await audit.locator('li[data-type=stop_completed]').count()).toBe(2);
      await shootAndScan(admin, 'deliveries-admin-detail');

      // A second trip, offered to the phone but taken from the driver's other device (the API): the phone
      // shows it without a reload. Its drop-off locks after five wrong PINs.
      await driveTo(SECOND_PICKUP);
      const second = await post<Booking>(
        '/v1/bookings',
        {
          pickup: SECOND_PICKUP,
          stops: [{ location: SECOND_DROP, recipient: { name: 'Farah Khan' } }],
          vehicleType: 'van',
          handoverPins: true,
        },
        customer.token,
      );
      const offer = phone.getByTestId('offer').filter({ hasText: 'Cubbon Park' });
      await offer.waitFor({ timeout: 30_000 });
      await post<Booking>(`/v1/driver/offers/${second.id}/accept`, {}, driver.token);
      await phone.locator('[data-testid=trip-status][data-status=driver_assigned]').waitFor();
      await offer.waitFor({ state: 'detached' });
      const pins = await apiGet<BookingPins>(
        server.baseUrl,
        `/v1/bookings/${second.id}/pins`,
        customer.token,
      );
      const dropPin = pins.stops.find((entry) => entry.seq === 1)?.pin ?? '';
      expect(dropPin).toMatch(/^\d{4}$/);
      for (const step of ['en_route_to_pickup', 'arrived_at_pickup'] as const) {
        await phone.locator(`[data-testid=next-status][data-next=${step}]`).click();
        await phone.locator(`[data-testid=trip-status][data-status=${step}]`).waitFor();
      }
      await phone.getByTestId('pin-input').fill(pins.pickup ?? '');
      await phone.locator('[data-testid=next-status][data-next=goods_collected]').click();
      await phone.locator('[data-testid=trip-status][data-status=goods_collected]').waitFor();
      await phone.locator('[data-testid=next-status][data-next=in_transit]').click();
      await phone.locator('[data-testid=trip-status][data-status=in_transit]').waitFor();
      // One drop-off: the trip's own button delivers it, with the drop-off's PIN.
      await driveTo(SECOND_DROP);
      const pinError = phone.getByTestId('pin-error');
      const tryPin = async (pin: string, said: string) => {
        await phone.getByTestId('pin-input').fill(pin);
        await phone.locator('[data-testid=next-status][data-next=delivered]').click();
        await expect.poll(() => pinError.textContent(), { timeout: 10_000 }).toBe(said);
      };
      for (const left of ['4 tries left', '3 tries left', '2 tries left', '1 try left']) {
        await tryPin(wrongPin(dropPin), `Wrong PIN, ${left}`);
      }
      await tryPin(wrongPin(dropPin), 'Wrong PIN. Locked: ask support to unlock');
      // Locked: the right PIN is refused too, on the phone and through the API.
      await tryPin(dropPin, 'Locked: ask support to unlock');
      expect(
        await refusal(
          server.baseUrl,
          `/v1/bookings/${second.id}/status`,
          { status: 'delivered', pin: dropPin },
          driver.token,
        ),
      ).toBe(423);
      await phone.getByTestId('pin-input').scrollIntoViewIfNeeded();
      await shootAndScan(phone, 'deliveries-driver-locked', { fullPage: false });

      // The admin sees the lock and unlocks it.
      await admin.goto(`${server.baseUrl}/admin/bookings/${second.id}`);
      const locked = admin.locator('[data-testid=locked-handover][data-handover="1"]');
      await locked.waitFor({ timeout: 10_000 });
      expect(await locked.textContent()).toContain('Drop-off: locked after too many wrong PINs.');
      expect(await admin.getByTestId('handover-audit').locator('li[data-type=pin_locked]').count()).toBe(1);
      await locked.scrollIntoViewIfNeeded();
      await shootAndScan(admin, 'deliveries-admin-locked');
      await locked.getByTestId('unlock-pin').click();
      await locked.waitFor({ state: 'detached', timeout: 10_000 });
      await admin.getByTestId('detail-pins').getByText('No handover is locked.').waitFor();
      await admin
        .getByTestId('handover-audit')
        .locator('li[data-type=pins_unlocked]')
        .waitFor({ timeout: 10_000 });
      await shootAndScan(admin, 'deliveries-admin-unlocked');

      // The driver types the PIN again: delivered.
      await phone.getByTestId('pin-input').fill(dropPin);
      await phone.locator('[data-testid=next-status][data-next=delivered]').click();
      await phone.getByTestId('trip-status').waitFor({ state: 'detached', timeout: 15_000 });
      await phone.getByTestId('driver-notice').filter({ hasText: 'Delivered' }).waitFor();
      await admin.locator('[data-testid=detail-status][data-status=delivered]').waitFor({ timeout: 15_000 });
      await expect
        .poll(async () => {
          const after = await apiGet<Booking>(server.baseUrl, `/v1/bookings/${second.id}`, customer.token);
          return [after.status, after.stops?.[0]?.status];
        })
        .toEqual(['delivered', 'delivered']);
    } catch (error) {
      await onFailureScreenshots({ admin: adminPage, driver: phone }, error);
    }
  });
});
