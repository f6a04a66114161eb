import { MessagePage } from './MessagePage';

/** Home for a user with neither licence: the wording of VCC's own help page. */
export function NoLicencePage() {
  return (
    <MessagePage title="Welcome to Keygate">
      <p>
        API Credentials is not available for your user. If API Credentials does not appear, contact support.
      </p>
    </MessagePage>
  );
}
