import { useEffect, useState } from 'react';
import { getStoredToken } from '../../api/client';

type Loaded = { status: 'loading' } | { status: 'ready'; src: string } | { status: 'failed' };

/**
 * A proof file (`GET /v1/uploads/:id`) as an object URL: the server reads the
 * bearer token, not cookies, so an `<img src>` cannot fetch it by itself. The
 * URL is revoked when the image goes or its address changes.
 */
export function useUploadImage(url: string): Loaded {
  const [loaded, setLoaded] = useState<{ url: string; result: Loaded } | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    let objectUrl: string | null = null;
    const token = getStoredToken();
    fetch(url, {
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
      signal: controller.signal,
      credentials: 'same-origin',
    })
      .then(async (response) => {
        if (!response.ok) {
          throw new Error(`Upload answered ${response.status}`);
        }
        const blob = await response.blob();
        objectUrl = URL.createObjectURL(blob);
        setLoaded({ url, result: { status: 'ready', src: objectUrl } });
      })
      .catch(() => {
        if (!controller.signal.aborted) {
          setLoaded({ url, result: { status: 'failed' } });
        }
      });
    return () => {
      controller.abort();
      if (objectUrl !== null) {
        URL.revokeObjectURL(objectUrl);
      }
    };
  }, [url]);
  return loaded === null || loaded.url !== url ? { status: 'loading' } : loaded.result;
}

/** A photo or signature of a stop's proof, captioned; a clear note while it loads or when it cannot be shown. */
export function ProofImage({
  url,
  caption,
  alt,
  signature = false,
  testId,
}: {
  url: string;
  caption: string;
  alt: string;
  signature?: boolean;
  testId?: string;
}) {
  const loaded = useUploadImage(url);
  return (
    <figure
      className={signature ? 'proof-image proof-image--signature' : 'proof-image'}
      data-testid={testId}
      data-state={loaded.status}
    >
      {loaded.status === 'ready' ? (
        <img src={loaded.src} alt={alt} />
      ) : (
        <span className="proof-image__empty">
          {loaded.status === 'loading' ? 'Loading…' : 'Not available'}
        </span>
      )}
      <figcaption>{caption}</figcaption>
    </figure>
  );
}
