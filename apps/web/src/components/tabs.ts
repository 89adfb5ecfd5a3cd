import { useEffect, useRef } from 'react';

/**
 * Keeps the active tab of a scrolling tab bar in view (on a phone the bar
 * scrolls sideways and the current tab may sit past its edge). Scrolls the bar
 * only, never the page; runs again whenever `key` changes (the path, a label)
 * and whenever the bar changes width (a window narrowed, a phone turned).
 */
export function useActiveTabInView<T extends HTMLElement>(key: string) {
  const ref = useRef<T | null>(null);
  useEffect(() => {
    const bar = ref.current;
    if (bar === null) {
      return;
    }
    const reveal = () => {
      const active = bar.querySelector<HTMLElement>('.is-active');
      if (active === null) {
        return;
      }
      const barBox = bar.getBoundingClientRect();
      const tabBox = active.getBoundingClientRect();
      if (tabBox.right > barBox.right) {
        bar.scrollLeft += tabBox.right - barBox.right;
      } else if (tabBox.left < barBox.left) {
        bar.scrollLeft -= barBox.left - tabBox.left;
      }
    };
    reveal();
    const resized = new ResizeObserver(reveal);
    resized.observe(bar);
    return () => resized.disconnect();
  }, [key]);
  return ref;
}
