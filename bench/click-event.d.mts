/** A realistic click event of about 200 bytes as JSON; partition key = user id over 10,000 users. */
export function clickEvent(n: number): { value: object; partitionKey: string };
