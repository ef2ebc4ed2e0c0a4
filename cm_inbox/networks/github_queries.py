"""The GraphQL documents the GitHub connector sends for discussions.

Fields as GitHub's "Using the GraphQL API for Discussions" guide documents them.
Every connection says ``first`` or ``last`` (1 to 100), as GitHub requires;
``replies(first: 100)`` under ``comments(last: 100)`` stays far below the
500,000-node limit and costs about one point a call.
"""

from __future__ import annotations

_AUTHOR = "author { login }"
DISCUSSION_FIELDS = f"id number title url body createdAt updatedAt upvoteCount {_AUTHOR}"
COMMENT_FIELDS = (
    "id databaseId url body createdAt updatedAt upvoteCount isMinimized minimizedReason"
    f" authorAssociation {_AUTHOR} replyTo {{ id databaseId }}"
)
LIST_QUERY = f"""
query($owner: String!, $name: String!, $first: Int!, $after: String) {{
  repository(owner: $owner, name: $name) {{
    hasDiscussionsEnabled
    discussions(first: $first, after: $after, orderBy: {{field: UPDATED_AT, direction: DESC}}) {{
      nodes {{ {DISCUSSION_FIELDS} }}
      pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}"""
THREAD_QUERY = f"""
query($owner: String!, $name: String!, $number: Int!, $last: Int!, $before: String) {{
  repository(owner: $owner, name: $name) {{
    discussion(number: $number) {{
      {DISCUSSION_FIELDS}
      comments(last: $last, before: $before) {{
        nodes {{
          {COMMENT_FIELDS}
          replies(first: 100) {{
            totalCount
            nodes {{ {COMMENT_FIELDS} }}
            pageInfo {{ hasNextPage endCursor }}
          }}
        }}
        pageInfo {{ hasPreviousPage startCursor }}
      }}
    }}
  }}
}}"""
REPLIES_QUERY = f"""
query($id: ID!, $first: Int!, $after: String) {{
  node(id: $id) {{
    ... on DiscussionComment {{
      replies(first: $first, after: $after) {{
        nodes {{ {COMMENT_FIELDS} }}
        pageInfo {{ hasNextPage endCursor }}
      }}
    }}
  }}
}}"""
NEWEST_REPLIES_QUERY = f"""
query($id: ID!) {{
  node(id: $id) {{
    ... on DiscussionComment {{
      replies(last: 100) {{ nodes {{ {COMMENT_FIELDS} }} }}
    }}
  }}
}}"""
ADD_COMMENT = f"""
mutation($discussionId: ID!, $body: String!, $replyToId: ID) {{
  addDiscussionComment(
    input: {{discussionId: $discussionId, body: $body, replyToId: $replyToId}}
  ) {{
    comment {{ {COMMENT_FIELDS} }}
  }}
}}"""
