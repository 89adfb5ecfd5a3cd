import { useCallback, useState } from 'react';
import type { AdminUser, Role } from '@loadline/contracts';
import { api } from '../../api/client';
import { usePagedList, type PageRequest } from '../../api/use-paged-list';
import { PagedCard } from '../../components/paged-card';
import { formatTime } from '../../components/ui';

type StatusFilter = AdminUser['status'];
const ROLES: readonly { value: Role; label: string }[] = [
  { value: 'customer', label: 'Customers' },
  { value: 'driver', label: 'Drivers' },
  { value: 'admin', label: 'Admins' },
];
const STATUSES: readonly { value: StatusFilter; label: string }[] = [
  { value: 'active', label: 'Active' },
  { value: 'suspended', label: 'Suspended' },
];

/** Every account on the platform, filtered by role and status or found by exact email, cursor-paged across shards. */
export function UsersTable() {
  const [role, setRole] = useState<Role | ''>('');
  const [status, setStatus] = useState<StatusFilter | ''>('');
  const [emailInput, setEmailInput] = useState('');
  // The search runs on Enter (or clearing the field), not on every keystroke.
  const [email, setEmail] = useState('');
  const fetchUsers = useCallback(
    (page: PageRequest) =>
      api('admin.users', {
        query: {
          ...page,
          role: role === '' ? undefined : role,
          status: status === '' ? undefined : status,
          email: email === '' ? undefined : email,
        },
      }),
    [role, status, email],
  );
  const list = usePagedList(fetchUsers, 25);
  const filtered = role !== '' || status !== '' || email !== '';

  return (
    <PagedCard
      title="Users"
      list={list}
      empty={filtered ? 'No user matches these filters.' : 'No users yet.'}
      moreTestId="users-more"
      filters={
        <>
          <form
            className="inline-field"
            role="search"
            onSubmit={(event) => {
              event.preventDefault();
              setEmail(emailInput.trim());
            }}
          >
            <label htmlFor="users-email">Email</label>
            <input
              id="users-email"
              type="search"
              placeholder="exact email, Enter"
              value={emailInput}
              onChange={(event) => {
                setEmailInput(event.target.value);
                if (event.target.value === '') {
                  setEmail('');
                }
              }}
              data-testid="users-email"
            />
          </form>
          <label className="inline-field">
            <span>Role</span>
            <select
              value={role}
              onChange={(event) => setRole(event.target.value as Role | '')}
              data-testid="users-role"
            >
              <option value="">All roles</option>
              {ROLES.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>
          <label className="inline-field">
            <span>Status</span>
            <select
              value={status}
              onChange={(event) => setStatus(event.target.value as StatusFilter | '')}
              data-testid="users-status"
            >
              <option value="">Any status</option>
              {STATUSES.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>
        </>
      }
    >
      <table className="table table--cards" data-testid="users-table">
        <thead>
          <tr>
            <th>User</th>
            <th>Role</th>
            <th>Status</th>
            <th>Phone</th>
            <th>Joined</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((user) => (
            <tr key={user.id} data-testid="user-row" data-role={user.role} data-status={user.status}>
              <td data-label="User">
                <span>
                  <strong>{user.name}</strong>
                  <small className="table__sub">{user.email}</small>
                </span>
              </td>
              <td data-label="Role">
                <span className={`role role--${user.role}`}>{user.role}</span>
              </td>
              <td data-label="Status">
                <span className={`state state--${user.status === 'active' ? 'online' : 'suspended'}`}>
                  {user.status}
                </span>
              </td>
              <td data-label="Phone" className="muted">
                {user.phone ?? '—'}
              </td>
              <td data-label="Joined" className="muted">
                {formatTime(user.createdAt)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </PagedCard>
  );
}
