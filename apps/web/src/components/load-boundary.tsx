import { Component, type ReactNode } from 'react';
import { ErrorBanner } from './ui';

interface Props {
  /** What failed, for the message: "this page", "the chart". */
  what: string;
  children: ReactNode;
}

/**
 * Catches a render error below it, typically a lazily loaded chunk that could
 * not be fetched (offline, or a new release replaced the old files), and offers
 * a reload instead of a blank screen.
 */
export class LoadBoundary extends Component<Props, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render(): ReactNode {
    if (this.state.failed) {
      return (
        <ErrorBanner
          message={`Could not load ${this.props.what}. Check your connection and reload.`}
          onRetry={() => window.location.reload()}
        />
      );
    }
    return this.props.children;
  }
}
